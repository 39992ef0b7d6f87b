package sdkgen

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/printer"
	"go/token"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/qapitools/qapi/internal/oas"
)

// AccessorsFile is the file, beside the code oapi-codegen wrote
// (gen/qapi.gen.go, or the NAME.gen.go of qapi generate), that holds the
// nil-safe accessors.
const AccessorsFile = "accessors.gen.go"

// Accessors writes, for every pointer field X of every struct type of
// package gen, a method GetX that reads it without a nil check, as
// go-github's GetX do: the value it points to, or the zero value when the
// field or the receiver is nil; a field that points to a struct of gen is
// returned as the pointer, whose own accessors are nil-safe in turn, so
// a.GetB().GetC() never panics. Only the types an answer of doc can hold
// get them.
//
// Why accessors and not values: oapi-codegen's prefer-skip-optional-pointer
// (or x-go-type-skip-optional-pointer on each field) makes optional fields
// values, and gen's types are request bodies as well as answers: with
// omitempty a PATCH could no longer send false, 0 or "" (nor an empty list
// with prefer-skip-optional-pointer-on-container-types), and with omitzero
// no longer leave them out. nullable-type covers only the fields the
// contract marks nullable. Pointers keep "absent" apart from "zero" where
// writes need it; accessors make reading as short as with values.
//
// source names the file genSource was read from, for the first line.
func Accessors(doc *openapi3.T, genSource []byte, source string) ([]byte, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "qapi.gen.go", genSource, parser.SkipObjectResolution)
	if err != nil {
		return nil, fmt.Errorf("parse package gen: %w", err)
	}
	g, err := parseGen(genSource)
	if err != nil {
		return nil, err
	}
	imported := map[string]string{} // package name as gen refers to it → import path
	for _, imp := range f.Imports {
		path, err := strconv.Unquote(imp.Path.Value)
		if err != nil {
			return nil, err
		}
		name := path[strings.LastIndex(path, "/")+1:]
		if imp.Name != nil {
			name = imp.Name.Name
		}
		imported[name] = path
	}
	methods := map[string]map[string]bool{} // type → names of its methods and fields
	variants := map[string][]ast.Expr{}     // union type → the types its As<Variant> methods return
	for _, decl := range f.Decls {
		if fn, ok := decl.(*ast.FuncDecl); ok && fn.Recv != nil && len(fn.Recv.List) == 1 {
			t := fn.Recv.List[0].Type
			if star, ok := t.(*ast.StarExpr); ok {
				t = star.X
			}
			if id, ok := t.(*ast.Ident); ok {
				if methods[id.Name] == nil {
					methods[id.Name] = map[string]bool{}
				}
				methods[id.Name][fn.Name.Name] = true
				if strings.HasPrefix(fn.Name.Name, "As") && fn.Type.Results != nil {
					variants[id.Name] = append(variants[id.Name], fn.Type.Results.List[0].Type)
				}
			}
		}
	}

	answers, err := answerTypes(doc, g, variants)
	if err != nil {
		return nil, err
	}
	var body bytes.Buffer
	var imports []string
	var errs []error
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.TYPE {
			continue
		}
		for _, spec := range gd.Specs {
			ts := spec.(*ast.TypeSpec)
			st, ok := ts.Type.(*ast.StructType)
			if !ok || ts.Assign.IsValid() || !answers[ts.Name.Name] {
				continue
			}
			taken := methods[ts.Name.Name]
			for _, fl := range st.Fields.List {
				for _, n := range fl.Names {
					if taken == nil {
						taken = map[string]bool{}
					}
					taken[n.Name] = true
				}
			}
			for _, fl := range st.Fields.List {
				star, ok := fl.Type.(*ast.StarExpr)
				if !ok || len(fl.Names) != 1 || !ast.IsExported(fl.Names[0].Name) {
					continue
				}
				field := fl.Names[0].Name
				name := "Get" + field
				if taken[name] {
					errs = append(errs, fmt.Errorf("%s.%s: %s already has a field or method %s", ts.Name.Name, field, ts.Name.Name, name))
					continue
				}
				typ, pkgs, err := typeString(fset, star.X)
				if err != nil {
					return nil, fmt.Errorf("%s.%s: %w", ts.Name.Name, field, err)
				}
				for _, p := range pkgs {
					path, ok := imported[p]
					if !ok {
						return nil, fmt.Errorf("%s.%s: type of an unknown package %s", ts.Name.Name, field, p)
					}
					imports = append(imports, path)
				}
				body.WriteString("\n")
				if id, ok := star.X.(*ast.Ident); ok && g.isStruct(id.Name) {
					fmt.Fprintf(&body, "// %s returns %s, or nil when x is nil.\nfunc (x *%s) %s() *%s {\n\tif x == nil {\n\t\treturn nil\n\t}\n\treturn x.%s\n}\n",
						name, field, ts.Name.Name, name, typ, field)
					continue
				}
				fmt.Fprintf(&body, "// %s returns the value of %s, or its zero value when x or %s is nil.\nfunc (x *%s) %s() (v %s) {\n\tif x != nil && x.%s != nil {\n\t\tv = *x.%s\n\t}\n\treturn v\n}\n",
					name, field, field, ts.Name.Name, name, typ, field, field)
			}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	slices.Sort(imports)
	imports = slices.Compact(imports)
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by internal/sdkgen from %s. DO NOT EDIT.\n\npackage %s\n", source, f.Name.Name)
	if len(imports) > 0 {
		b.WriteString("\nimport (\n")
		for _, imp := range imports {
			fmt.Fprintf(&b, "\t%q\n", imp)
		}
		b.WriteString(")\n")
	}
	b.Write(body.Bytes())
	src, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", AccessorsFile, err)
	}
	return src, nil
}

// answerTypes are the named types of gen an answer can hold: the JSON bodies
// of every answer doc documents (goType) and, through fields, lists, maps,
// aliases and the variants of unions, every type in them.
func answerTypes(doc *openapi3.T, g *genSource, variants map[string][]ast.Expr) (map[string]bool, error) {
	seen := map[string]bool{}
	var walk func(e ast.Expr)
	walk = func(e ast.Expr) {
		switch t := e.(type) {
		case *ast.Ident:
			if ts := g.types[t.Name]; ts != nil && !seen[t.Name] {
				seen[t.Name] = true
				walk(ts.Type)
				for _, v := range variants[t.Name] {
					walk(v)
				}
			}
		case *ast.StarExpr:
			walk(t.X)
		case *ast.ArrayType:
			walk(t.Elt)
		case *ast.MapType:
			walk(t.Key)
			walk(t.Value)
		case *ast.StructType:
			for _, fl := range t.Fields.List {
				walk(fl.Type)
			}
		}
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			for code, resp := range op.Responses.Map() {
				if resp.Value == nil {
					continue
				}
				for media, mt := range resp.Value.Content {
					if !oas.IsJSON(media) || mt.Schema == nil {
						continue
					}
					e, err := goType(mt.Schema)
					if err != nil {
						return nil, fmt.Errorf("%s %s answer %s: %w", method, path, code, err)
					}
					walk(e)
				}
			}
		}
	}
	return seen, nil
}

// typeString prints a type expression of gen as gen spells it, and the
// packages it names.
func typeString(fset *token.FileSet, e ast.Expr) (string, []string, error) {
	var pkgs []string
	ast.Inspect(e, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok {
				pkgs = append(pkgs, id.Name)
			}
		}
		return true
	})
	var b bytes.Buffer
	if err := printer.Fprint(&b, fset, e); err != nil {
		return "", nil, err
	}
	return b.String(), pkgs, nil
}
