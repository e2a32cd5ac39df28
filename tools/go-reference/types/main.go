// Command go-types writes the Go types Prow reads job config into and writes ProwJobs from, as JSON: every struct
// reachable from config.JobConfig, config.Config (the parts a ProwJob depends on) and prowjobs/v1.ProwJob, with
// each field's JSON name, type and options exactly as encoding/json sees them (promoted fields of embedded
// structs, dominance, omitempty). libs/prowjob-api reads and writes YAML with it the way Prow's Go code does.
//
// Usage (from tools/go-reference): go run ./types > ../../libs/prowjob-api/src/go-types.json
package main

import (
	"encoding"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"runtime/debug"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	prowapi "sigs.k8s.io/prow/pkg/apis/prowjobs/v1"
	"sigs.k8s.io/prow/pkg/config"
)

// Types with their own JSON form, by package path and name, and the kind the TypeScript side implements.
var special = map[reflect.Type]string{
	reflect.TypeOf(resource.Quantity{}):   "quantity",
	reflect.TypeOf(metav1.Duration{}):     "duration",
	reflect.TypeOf(prowapi.Duration{}):    "nsduration",
	reflect.TypeOf(intstr.IntOrString{}):  "intorstring",
	reflect.TypeOf(metav1.Time{}):         "time",
	reflect.TypeOf(metav1.MicroTime{}):    "time",
	reflect.TypeOf(json.RawMessage(nil)):  "any",
	reflect.TypeOf(config.ProwConfig{}):   "", // expanded below, with only the fields a ProwJob depends on
	reflect.TypeOf(config.JobConfig{}):    "",
	reflect.TypeOf(config.Config{}):       "",
	reflect.TypeOf(prowapi.ProwJob{}):     "",
	reflect.TypeOf(prowapi.ProwJobSpec{}): "",
}

// The fields of config.yaml's ProwConfig that decide how a ProwJob is built; the others are kept untyped.
var prowConfigFields = map[string]bool{
	"plank": true, "pod_namespace": true, "prowjob_namespace": true, "prowjob_default_entries": true, "scheduler": true,
}

var (
	jsonUnmarshaler = reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()
	textUnmarshaler = reflect.TypeOf((*encoding.TextUnmarshaler)(nil)).Elem()
	jsonMarshaler   = reflect.TypeOf((*json.Marshaler)(nil)).Elem()
	textMarshaler   = reflect.TypeOf((*encoding.TextMarshaler)(nil)).Elem()
)

type field struct {
	name      string
	index     []int
	typ       reflect.Type
	tagged    bool
	omitEmpty bool
}

// typeFields lists the fields encoding/json encodes and decodes for struct type t: a breadth-first walk of
// embedded structs where a shallower field hides deeper ones of the same name, and two at one depth hide
// each other unless exactly one is tagged.
func typeFields(t reflect.Type) []field {
	type level struct {
		typ   reflect.Type
		index []int
	}
	next := []level{{typ: t}}
	visited := map[reflect.Type]bool{}
	var fields []field
	for len(next) > 0 {
		current := next
		next = nil
		count := map[reflect.Type]int{}
		for _, l := range current {
			count[l.typ]++
		}
		for _, l := range current {
			if visited[l.typ] {
				continue
			}
			visited[l.typ] = true
			for i := 0; i < l.typ.NumField(); i++ {
				sf := l.typ.Field(i)
				if sf.Anonymous {
					ft := sf.Type
					if ft.Kind() == reflect.Pointer {
						ft = ft.Elem()
					}
					if !sf.IsExported() && ft.Kind() != reflect.Struct {
						continue
					}
				} else if !sf.IsExported() {
					continue
				}
				tag := sf.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				index := append(append([]int{}, l.index...), i)
				ft := sf.Type
				if ft.Name() == "" && ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if name != "" || !sf.Anonymous || ft.Kind() != reflect.Struct {
					f := field{name: name, tagged: name != "", index: index, typ: sf.Type, omitEmpty: hasOpt(opts, "omitempty")}
					if f.name == "" {
						f.name = sf.Name
					}
					if hasOpt(opts, "string") {
						// Values written as JSON strings; the TypeScript side does not implement them yet.
						panic(fmt.Sprintf("field %s.%s has the ,string option", l.typ, sf.Name))
					}
					fields = append(fields, f)
					if count[l.typ] > 1 {
						// A type embedded twice at one level hides its fields; one copy marks the name taken.
						fields = append(fields, fields[len(fields)-1])
					}
					continue
				}
				next = append(next, level{typ: ft, index: index})
			}
		}
	}
	sort.SliceStable(fields, func(i, j int) bool {
		if fields[i].name != fields[j].name {
			return fields[i].name < fields[j].name
		}
		if len(fields[i].index) != len(fields[j].index) {
			return len(fields[i].index) < len(fields[j].index)
		}
		if fields[i].tagged != fields[j].tagged {
			return fields[i].tagged
		}
		return lessIndex(fields[i].index, fields[j].index)
	})
	var out []field
	for i := 0; i < len(fields); {
		j := i + 1
		for j < len(fields) && fields[j].name == fields[i].name {
			j++
		}
		group := fields[i:j]
		if len(group) == 1 || len(group[0].index) != len(group[1].index) || group[0].tagged != group[1].tagged {
			out = append(out, group[0])
		}
		i = j
	}
	sort.Slice(out, func(i, j int) bool { return lessIndex(out[i].index, out[j].index) })
	return out
}

func hasOpt(opts, want string) bool {
	for _, o := range strings.Split(opts, ",") {
		if o == want {
			return true
		}
	}
	return false
}

func lessIndex(a, b []int) bool {
	for k := range a {
		if k >= len(b) {
			return false
		}
		if a[k] != b[k] {
			return a[k] < b[k]
		}
	}
	return len(a) < len(b)
}

type generator struct {
	types  map[string]any
	opaque map[string]bool
}

func typeName(t reflect.Type) string {
	parts := strings.Split(t.PkgPath(), "/")
	if len(parts) > 2 {
		parts = parts[len(parts)-2:]
	}
	return strings.Join(parts, "/") + "." + t.Name()
}

func customJSON(t reflect.Type) bool {
	p := reflect.PointerTo(t)
	return t.Implements(jsonUnmarshaler) || p.Implements(jsonUnmarshaler) || t.Implements(textUnmarshaler) || p.Implements(textUnmarshaler) ||
		t.Implements(jsonMarshaler) || p.Implements(jsonMarshaler) || t.Implements(textMarshaler) || p.Implements(textMarshaler)
}

// expr is the JSON form of a type: a scalar kind, a struct's name, or {"ptr"|"slice"|"map": elem}.
func (g *generator) expr(t reflect.Type) any {
	if kind, ok := special[t]; ok && kind != "" {
		return kind
	}
	if t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface && customJSON(t) {
		if _, ok := special[t]; !ok {
			g.opaque[typeName(t)] = true
			return "any"
		}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return map[string]any{"ptr": g.expr(t.Elem())}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return "bytes"
		}
		return map[string]any{"slice": g.expr(t.Elem())}
	case reflect.Array:
		return map[string]any{"slice": g.expr(t.Elem())}
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			panic(fmt.Sprintf("map key %s in %s", t.Key(), t))
		}
		return map[string]any{"map": g.expr(t.Elem())}
	case reflect.Interface:
		return "any"
	case reflect.Struct:
		name := typeName(t)
		if _, done := g.types[name]; !done {
			g.types[name] = nil // a placeholder breaks cycles
			g.types[name] = g.structFields(t)
		}
		return name
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "bool"
	case reflect.Int, reflect.Int64:
		return "int64"
	case reflect.Int8, reflect.Int16, reflect.Int32:
		return "int32"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "uint64"
	case reflect.Float32, reflect.Float64:
		return "float64"
	}
	panic(fmt.Sprintf("unsupported type %s", t))
}

// structFields: [name, type, flags, hint?] per field. flags: 1 omitempty. hint is the type
// sigs.k8s.io/yaml uses to decide whether a YAML number becomes a string: for a promoted field, the type of
// the embedded struct it comes from (it looks only at the first step of the field's index).
func (g *generator) structFields(t reflect.Type) []any {
	var out []any
	for _, f := range typeFields(t) {
		typ := f.typ
		if fromProwConfig(t, f) && !prowConfigFields[f.name] {
			out = append(out, []any{f.name, "any", flags(f)})
			continue
		}
		entry := []any{f.name, g.expr(typ), flags(f)}
		if len(f.index) > 1 {
			entry = append(entry, g.expr(t.Field(f.index[0]).Type))
		}
		out = append(out, entry)
	}
	return out
}

// fromProwConfig: a field of ProwConfig itself or promoted from it (into config.Config).
func fromProwConfig(t reflect.Type, f field) bool {
	prowConfig := reflect.TypeOf(config.ProwConfig{})
	return t == prowConfig || (len(f.index) > 1 && t.Field(f.index[0]).Type == prowConfig)
}

func flags(f field) int {
	if f.omitEmpty {
		return 1
	}
	return 0
}

func main() {
	g := &generator{types: map[string]any{}, opaque: map[string]bool{}}
	roots := map[string]any{
		"JobConfig": g.expr(reflect.TypeOf(config.JobConfig{})),
		"Config":    g.expr(reflect.TypeOf(config.Config{})),
		"ProwJob":   g.expr(reflect.TypeOf(prowapi.ProwJob{})),
	}
	var versions []string
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			switch dep.Path {
			case "sigs.k8s.io/prow", "k8s.io/api", "k8s.io/apimachinery", "github.com/tektoncd/pipeline", "sigs.k8s.io/yaml":
				versions = append(versions, dep.Path+" "+dep.Version)
			}
		}
	}
	var opaque []string
	for name := range g.opaque {
		opaque = append(opaque, name)
	}
	sort.Strings(opaque)
	// One type per line, sorted, so that a Prow upgrade shows up as a readable diff.
	var b strings.Builder
	b.WriteString("{\n")
	for _, kv := range [][2]any{{"versions", versions}, {"roots", roots}, {"opaque", opaque}} {
		fmt.Fprintf(&b, "%q: %s,\n", kv[0], mustJSON(kv[1]))
	}
	names := make([]string, 0, len(g.types))
	for name := range g.types {
		names = append(names, name)
	}
	sort.Strings(names)
	b.WriteString("\"types\": {\n")
	for i, name := range names {
		sep := ","
		if i == len(names)-1 {
			sep = ""
		}
		fmt.Fprintf(&b, "  %q: %s%s\n", name, mustJSON(g.types[name]), sep)
	}
	b.WriteString("}\n}\n")
	os.Stdout.WriteString(b.String())
}

func mustJSON(v any) []byte {
	out, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return out
}
