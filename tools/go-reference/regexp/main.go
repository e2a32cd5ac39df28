// Command regexp answers each case of a cases.json file with Go's regexp package, the engine Prow compiles its
// config's patterns with: the error regexp.Compile gives, or what MatchString says for each input.
// libs/prow-config compares its own engine with these answers.
//
// Usage (from tools/go-reference): go run ./regexp DIR > DIR/expected.json
package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
)

type testCase struct {
	Pattern string   `json:"pattern"`
	Inputs  []string `json:"inputs"`
}

type answer struct {
	Pattern string `json:"pattern"`
	Error   string `json:"error,omitempty"`
	Matches []bool `json:"matches,omitempty"`
}

func main() {
	raw, err := os.ReadFile(filepath.Join(os.Args[1], "cases.json"))
	if err != nil {
		panic(err)
	}
	var cases []testCase
	if err := json.Unmarshal(raw, &cases); err != nil {
		panic(err)
	}
	answers := make([]answer, 0, len(cases))
	for _, c := range cases {
		a := answer{Pattern: c.Pattern}
		if re, err := regexp.Compile(c.Pattern); err != nil {
			a.Error = err.Error()
		} else {
			a.Matches = make([]bool, len(c.Inputs))
			for i, in := range c.Inputs {
				a.Matches[i] = re.MatchString(in)
			}
		}
		answers = append(answers, a)
	}
	out := json.NewEncoder(os.Stdout)
	out.SetIndent("", "  ")
	out.SetEscapeHTML(false)
	if err := out.Encode(answers); err != nil {
		panic(err)
	}
}
