package apidiff

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WriteJSON writes the report as one JSON document: added and removed
// operations and every change, in a stable order.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// areas groups the report by SDK area, in name order; changes outside any
// area (the document as a whole) come last, under "".
func (r *Report) areas() []string {
	seen := map[string]bool{}
	for _, o := range append(append([]Operation{}, r.Added...), r.Removed...) {
		seen[o.Area] = true
	}
	for _, c := range r.Changes {
		seen[c.Area] = true
	}
	names := sortedKeys(seen)
	if seen[""] {
		names = append(names[1:], "")
	}
	return names
}

func areaTitle(a string) string {
	if a == "" {
		return "(document)"
	}
	return "c." + a
}

func (r *Report) summary() string {
	return fmt.Sprintf("%d operations added, %d removed; %d changes, %d breaking", len(r.Added), len(r.Removed), len(r.Changes), r.Breaking())
}

// WriteText writes the report for a terminal, grouped by SDK area.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "qapi diff %s → %s: %s\n", r.Old, r.New, r.summary())
	for _, a := range r.areas() {
		fmt.Fprintf(&b, "\n%s\n", areaTitle(a))
		for _, o := range r.Added {
			if o.Area == a {
				fmt.Fprintf(&b, "  %-12s %s %s: operation added\n               Go: %s appears\n", "non-breaking", o.Method, o.Path, o.SDK)
			}
		}
		for _, o := range r.Removed {
			if o.Area == a {
				fmt.Fprintf(&b, "  %-12s %s %s: operation removed\n               Go: %s disappears\n", "breaking", o.Method, o.Path, o.SDK)
			}
		}
		for _, c := range r.Changes {
			if c.Area != a || operationChange(c.Kind) {
				continue
			}
			fmt.Fprintf(&b, "  %-12s %s\n", c.Class(), changeLine(c))
			if c.SDK != "" {
				fmt.Fprintf(&b, "               Go: %s\n", c.SDK)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func changeLine(c Change) string {
	if c.Path == "" {
		return c.Text + " [" + c.Kind + "]"
	}
	return fmt.Sprintf("%s %s: %s [%s]", c.Method, c.Path, c.Text, c.Kind)
}

// WriteMarkdown writes the report as a pull-request comment.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "### API changes: `%s` → `%s`\n\n%s.\n", r.Old, r.New, r.summary())
	cell := func(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ") }
	for _, a := range r.areas() {
		fmt.Fprintf(&b, "\n#### `%s`\n\n| change | operation | what | Go SDK |\n|---|---|---|---|\n", areaTitle(a))
		for _, o := range r.Added {
			if o.Area == a {
				fmt.Fprintf(&b, "| added | `%s %s` | operation added | `%s` appears |\n", o.Method, o.Path, o.SDK)
			}
		}
		for _, o := range r.Removed {
			if o.Area == a {
				fmt.Fprintf(&b, "| **removed** | `%s %s` | operation removed | `%s` disappears |\n", o.Method, o.Path, o.SDK)
			}
		}
		for _, c := range r.Changes {
			if c.Area != a || operationChange(c.Kind) {
				continue
			}
			class := c.Class()
			if c.Breaking {
				class = "**breaking**"
			}
			fmt.Fprintf(&b, "| %s | `%s %s` | %s | %s |\n", class, c.Method, c.Path, cell(c.Text), cell(c.SDK))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// operationChange tells whether a change is an operation added or removed,
// which the reports list on their own.
func operationChange(kind string) bool {
	return kind == "endpoint-added" || strings.Contains(kind, "path-added") || strings.Contains(kind, "path-removed") || strings.HasPrefix(kind, "api-removed")
}
