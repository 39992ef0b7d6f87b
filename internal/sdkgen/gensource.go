package sdkgen

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/qapitools/qapi/internal/oas"
)

// genSource is what the generator reads of package gen: its request
// builders and its types.
type genSource struct {
	funcs map[string]*ast.FuncDecl
	types map[string]*ast.TypeSpec
}

func parseGen(src []byte) (*genSource, error) {
	f, err := parser.ParseFile(token.NewFileSet(), "qapi.gen.go", src, parser.SkipObjectResolution)
	if err != nil {
		return nil, fmt.Errorf("parse package gen: %w", err)
	}
	g := &genSource{funcs: map[string]*ast.FuncDecl{}, types: map[string]*ast.TypeSpec{}}
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil {
				g.funcs[d.Name.Name] = d
			}
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				if ts, ok := spec.(*ast.TypeSpec); ok {
					g.types[ts.Name.Name] = ts
				}
			}
		}
	}
	return g, nil
}

// shape is how a method looks in Go: what it takes and returns, and how it
// calls gen's request builder.
type shape struct {
	args []arg // path parameters
	// params is gen's parameter type (gen.XParams) when the method takes it.
	params string
	// nilParams tells that the builder takes parameters the method does not
	// (If-Match alone, sent with the IfMatch option instead).
	nilParams bool
	body      string // the request body's type, or ""
	result    string // the 200 body's type, or ""
	pointer   bool   // result is returned by pointer
	imports   []string
	// stream is the media type of a request body that is not JSON, sent
	// from an io.Reader (stream.go), or "".
	stream string
	// streamResult tells that the answer is not JSON and is returned as an
	// io.ReadCloser.
	streamResult bool
}

// arg is a path parameter of a method. A decimal one is an integer id the
// method takes as an int64 and hands gen's builder in decimal (oas.IntegerIDs).
type arg struct {
	name, typ string
	decimal   bool
}

// reserved are the names the generated methods use for their own variables.
var reserved = []string{"ctx", "params", "body", "opts", "s", "req", "err", "p", "r", "after"}

// shapeOf is the shape of operation id; stream is the media type of its
// request body when that is not JSON (streamedBody), whose builder is
// New<id>RequestWithBody.
func (g *genSource) shapeOf(op *openapi3.Operation, stream string) (shape, error) {
	id := op.OperationID
	sh := shape{stream: stream}
	builder := "New" + id + "Request"
	if stream != "" {
		builder += "WithBody"
	}
	fn := g.funcs[builder]
	if fn == nil {
		return sh, fmt.Errorf("package gen has no %s: regenerate gen", builder)
	}
	fields := fn.Type.Params.List
	if len(fields) == 0 || len(fields[0].Names) != 1 || fields[0].Names[0].Name != "server" {
		return sh, fmt.Errorf("%s does not take the server first", builder)
	}
	if stream != "" {
		// …, contentType string, body io.Reader: the method takes the
		// reader and sends the media type.
		if len(fields) < 3 {
			return sh, fmt.Errorf("%s does not take a content type and a body", builder)
		}
		fields = fields[:len(fields)-2]
		sh.body = "io.Reader"
		sh.imports = append(sh.imports, "io")
	}
	for _, fl := range fields[1:] {
		for _, n := range fl.Names {
			switch t := fl.Type.(type) {
			case *ast.StarExpr:
				if ident, ok := t.X.(*ast.Ident); ok && ident.Name == id+"Params" {
					if g.onlyIfMatch(ident.Name) {
						sh.nilParams = true
					} else {
						sh.params = "*gen." + ident.Name
					}
					continue
				}
			case *ast.Ident:
				if t.Name == id+"JSONRequestBody" {
					alias := g.types[t.Name]
					if alias == nil || !alias.Assign.IsValid() {
						return sh, fmt.Errorf("%s is not an alias of package gen", t.Name)
					}
					typ, err := g.qualify(&sh.imports, alias.Type)
					if err != nil {
						return sh, fmt.Errorf("request body: %w", err)
					}
					sh.body = typ
					continue
				}
			}
			if slices.Contains(reserved, n.Name) {
				return sh, fmt.Errorf("path parameter %s has the name of a variable of the generated method", n.Name)
			}
			typ, err := g.qualify(&sh.imports, fl.Type)
			if err != nil {
				return sh, fmt.Errorf("path parameter %s: %w", n.Name, err)
			}
			sh.args = append(sh.args, arg{name: n.Name, typ: typ})
		}
	}
	return sh, g.resultOf(op, &sh)
}

// resultOf sets the Go type of op's JSON success answer, read from the
// contract: a schema of package gen by its component name, a list of them,
// or a string or integer. gen has no answer types of its own (gen/cfg.yaml).
func (g *genSource) resultOf(op *openapi3.Operation, sh *shape) error {
	_, media, schema := oas.Success(op)
	if media == nil {
		return nil
	}
	expr, err := goType(schema)
	if err != nil {
		return fmt.Errorf("answer: %w", err)
	}
	if ident, ok := expr.(*ast.Ident); ok && ast.IsExported(ident.Name) {
		if g.types[ident.Name] == nil {
			return fmt.Errorf("answer: package gen has no type %s: regenerate gen", ident.Name)
		}
		sh.pointer = g.isStruct(ident.Name)
	}
	typ, err := g.qualify(&sh.imports, expr)
	if err != nil {
		return fmt.Errorf("answer: %w", err)
	}
	sh.result = typ
	return nil
}

// goType is the type oapi-codegen declares for an answer's schema, for the
// shapes answers take: a component, a list of components or strings, a
// string, an integer.
func goType(ref *openapi3.SchemaRef) (ast.Expr, error) {
	if name, ok := strings.CutPrefix(ref.Ref, "#/components/schemas/"); ok {
		return ast.NewIdent(name), nil
	}
	if ref.Ref != "" {
		return nil, fmt.Errorf("schema %s is not a component", ref.Ref)
	}
	s := ref.Value
	switch {
	case s == nil:
		return nil, errors.New("schema without a value")
	case s.Type.Is(openapi3.TypeArray) && s.Items != nil:
		elt, err := goType(s.Items)
		if err != nil {
			return nil, err
		}
		// oapi-codegen points to the items of a nullable component.
		if s.Items.Ref != "" && s.Items.Value != nil && s.Items.Value.Nullable {
			elt = &ast.StarExpr{X: elt}
		}
		return &ast.ArrayType{Elt: elt}, nil
	case s.Type.Is(openapi3.TypeString) && s.Format == "":
		return ast.NewIdent("string"), nil
	case s.Type.Is(openapi3.TypeInteger) && (s.Format == "int64" || s.Format == "int32"):
		return ast.NewIdent(s.Format), nil
	case s.Type.Is(openapi3.TypeInteger) && s.Format == "":
		return ast.NewIdent("int"), nil
	}
	return nil, fmt.Errorf("an answer of type %v and format %q is not supported", s.Type, s.Format)
}

// onlyIfMatch tells whether a parameter struct holds If-Match alone.
func (g *genSource) onlyIfMatch(name string) bool {
	st := g.structOf(name)
	if st == nil {
		return false
	}
	for _, fl := range st.Fields.List {
		if jsonName(fl) != "If-Match" {
			return false
		}
	}
	return true
}

// structOf is the struct type name declares, through aliases.
func (g *genSource) structOf(name string) *ast.StructType {
	ts := g.types[name]
	if ts == nil {
		return nil
	}
	if ts.Assign.IsValid() {
		if ident, ok := ts.Type.(*ast.Ident); ok {
			return g.structOf(ident.Name)
		}
		return nil
	}
	st, _ := ts.Type.(*ast.StructType)
	return st
}

func (g *genSource) isStruct(name string) bool { return g.structOf(name) != nil }

// field finds the field of struct name whose JSON name is prop.
func (g *genSource) field(name, prop string) *ast.Field {
	st := g.structOf(name)
	if st == nil {
		return nil
	}
	for _, fl := range st.Fields.List {
		if jsonName(fl) == prop && len(fl.Names) == 1 {
			return fl
		}
	}
	return nil
}

func jsonName(fl *ast.Field) string {
	if fl.Tag == nil {
		return ""
	}
	tag, err := strconv.Unquote(fl.Tag.Value)
	if err != nil {
		return ""
	}
	name, _, _ := strings.Cut(reflect.StructTag(tag).Get("json"), ",")
	return name
}

// packages are the import paths of the packages gen's types refer to.
var packages = map[string]string{
	"time":          "time",
	"json":          "encoding/json",
	"openapi_types": "github.com/oapi-codegen/runtime/types",
}

// qualify spells a type of package gen as package client sees it, aliases
// resolved (CloseSMBFilesJSONBody is []gen.FileHandle), and adds the
// packages it needs to imports.
func (g *genSource) qualify(imports *[]string, e ast.Expr) (string, error) {
	switch t := e.(type) {
	case *ast.Ident:
		if !ast.IsExported(t.Name) {
			return t.Name, nil
		}
		if ts := g.types[t.Name]; ts != nil && ts.Assign.IsValid() {
			return g.qualify(imports, ts.Type)
		}
		return "gen." + t.Name, nil
	case *ast.StarExpr:
		x, err := g.qualify(imports, t.X)
		return "*" + x, err
	case *ast.ArrayType:
		if t.Len != nil {
			return "", errors.New("arrays of fixed length are not supported")
		}
		x, err := g.qualify(imports, t.Elt)
		return "[]" + x, err
	case *ast.MapType:
		k, err := g.qualify(imports, t.Key)
		if err != nil {
			return "", err
		}
		v, err := g.qualify(imports, t.Value)
		return "map[" + k + "]" + v, err
	case *ast.InterfaceType:
		if len(t.Methods.List) > 0 {
			return "", errors.New("interfaces with methods are not supported")
		}
		return "any", nil
	case *ast.SelectorExpr:
		pkg, ok := t.X.(*ast.Ident)
		if !ok || packages[pkg.Name] == "" {
			return "", fmt.Errorf("type %v of an unknown package", t)
		}
		if !slices.Contains(*imports, packages[pkg.Name]) {
			*imports = append(*imports, packages[pkg.Name])
		}
		return pkg.Name + "." + t.Sel.Name, nil
	}
	return "", fmt.Errorf("unsupported type expression %T", e)
}

// paging is how an iterator pages through a list.
type paging struct {
	after      string // the Go field of the after parameter
	afterPtr   bool
	items      string // the Go field of the list in the answer
	itemsPtr   bool
	elem       string // the type of an item
	elemImport []string
}

// pagingOf finds the paging of a GET: after and limit parameters, and an
// answer that is an object with one list beside paging. Anything else does
// not page (nil, nil).
func (g *genSource) pagingOf(op *openapi3.Operation, sh shape) (*paging, error) {
	var after, limit bool
	for _, p := range op.Parameters {
		if p.Value != nil && p.Value.In == openapi3.ParameterInQuery {
			after = after || p.Value.Name == "after"
			limit = limit || p.Value.Name == "limit"
		}
	}
	if !after || !limit || !sh.pointer || sh.params == "" {
		return nil, nil
	}
	_, _, ref := oas.Success(op)
	if ref == nil || ref.Value == nil {
		return nil, nil
	}
	list, ok := oas.ListField(ref.Value)
	if !ok {
		return nil, nil
	}
	pg := &paging{}
	paramsType := strings.TrimPrefix(sh.params, "*gen.")
	af := g.field(paramsType, "after")
	if af == nil {
		return nil, fmt.Errorf("%s has no field for the after parameter", paramsType)
	}
	pg.after = af.Names[0].Name
	at := af.Type
	if star, ok := at.(*ast.StarExpr); ok {
		pg.afterPtr, at = true, star.X
	}
	if ident, ok := at.(*ast.Ident); !ok || ident.Name != "string" {
		return nil, fmt.Errorf("%s.%s is not a string", paramsType, pg.after)
	}
	var err error
	if pg.items, pg.itemsPtr, pg.elem, pg.elemImport, err = g.listOf(sh, list); err != nil {
		return nil, err
	}
	return pg, nil
}

// listOf reads the Go field of the property list of the answer of shape
// sh: its name, whether it is a pointer, and its items' type with the
// imports that type needs.
func (g *genSource) listOf(sh shape, list string) (field string, ptr bool, elem string, imports []string, err error) {
	resultType := strings.TrimPrefix(sh.result, "gen.")
	lf := g.field(resultType, list)
	if lf == nil {
		return "", false, "", nil, fmt.Errorf("%s has no field for the list %s", resultType, list)
	}
	field = lf.Names[0].Name
	t := lf.Type
	if star, ok := t.(*ast.StarExpr); ok {
		ptr, t = true, star.X
	}
	arr, ok := t.(*ast.ArrayType)
	if !ok {
		return "", false, "", nil, fmt.Errorf("%s.%s is not a list", resultType, field)
	}
	if elem, err = g.qualify(&imports, arr.Elt); err != nil {
		return "", false, "", nil, fmt.Errorf("items of %s.%s: %w", resultType, field, err)
	}
	return field, ptr, elem, imports, nil
}

// wrapped is the one list of an answer that holds nothing else, which the
// method returns instead of the answer.
type wrapped struct {
	field      string // the Go field of the list in the answer
	ptr        bool
	elem       string // the type of an item
	elemImport []string
}

// wrappedList finds the list of a GET that does not page and whose answer
// is an object with one property, a list. Anything else is no such list
// (nil, nil).
func (g *genSource) wrappedList(op *openapi3.Operation, sh shape) (*wrapped, error) {
	if !sh.pointer {
		return nil, nil
	}
	_, _, ref := oas.Success(op)
	if ref == nil || ref.Value == nil || len(ref.Value.Properties) != 1 {
		return nil, nil
	}
	list, ok := oas.ListField(ref.Value)
	if !ok {
		return nil, nil
	}
	w := &wrapped{}
	var err error
	if w.field, w.ptr, w.elem, w.elemImport, err = g.listOf(sh, list); err != nil {
		return nil, err
	}
	return w, nil
}
