// Command golden reads each YAML file of a directory into Prow's Go types exactly as Prow loads job config
// (sigs.k8s.io/yaml into config.JobConfig, or config.Config for files named config-*.yaml) and writes what Go
// holds as JSON, or the error Go gives; scalars.json lists durations, quantities and floats to print as Go does.
// libs/prow-config compares its own reading with these answers.
//
// Usage (from tools/go-reference): go run ./golden DIR > DIR/expected.json
package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"
	"sigs.k8s.io/prow/pkg/config"
	"sigs.k8s.io/yaml"
)

type answer struct {
	JSON  json.RawMessage `json:"json,omitempty"`
	Error string          `json:"error,omitempty"`
}

type scalars struct {
	Durations  []string  `json:"durations"`
	Quantities []string  `json:"quantities"`
	Floats     []float64 `json:"floats"`
}

func main() {
	dir := os.Args[1]
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		panic(err)
	}
	sort.Strings(files)
	out := map[string]any{}
	for _, file := range files {
		out[filepath.Base(file)] = read(file)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "scalars.json")); err == nil {
		var in scalars
		if err := json.Unmarshal(b, &in); err != nil {
			panic(err)
		}
		out["scalars"] = printScalars(in)
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		panic(err)
	}
	os.Stdout.Write(append(b, '\n'))
}

func read(file string) answer {
	b, err := os.ReadFile(file)
	if err != nil {
		panic(err)
	}
	var target any = &config.JobConfig{}
	if strings.HasPrefix(filepath.Base(file), "config-") {
		target = &config.Config{}
	}
	if err := yaml.Unmarshal(b, target); err != nil {
		return answer{Error: err.Error()}
	}
	if c, ok := target.(*config.Config); ok {
		// Only what a ProwJob depends on; the rest of config.Config has fields Go fills in itself.
		target = map[string]any{"plank": c.Plank, "presets": c.Presets, "pod_namespace": c.PodNamespace, "periodics": c.Periodics}
	}
	j, err := json.Marshal(target)
	if err != nil {
		return answer{Error: err.Error()}
	}
	return answer{JSON: j}
}

func printScalars(in scalars) map[string]map[string]string {
	out := map[string]map[string]string{"durations": {}, "quantities": {}, "floats": {}}
	for _, d := range in.Durations {
		if v, err := time.ParseDuration(d); err == nil {
			out["durations"][d] = v.String()
		} else {
			out["durations"][d] = "error"
		}
	}
	for _, q := range in.Quantities {
		if v, err := resource.ParseQuantity(q); err == nil {
			out["quantities"][q] = v.String()
		} else {
			out["quantities"][q] = "error"
		}
	}
	for _, f := range in.Floats {
		out["floats"][strconv.FormatFloat(f, 'g', -1, 64)] = strconv.FormatFloat(f, 'g', -1, 32)
	}
	return out
}
