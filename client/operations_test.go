package client_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/qapitools/qapi/client"
	"github.com/qapitools/qapi/internal/oas"
	"github.com/qapitools/qapi/internal/sdkgen"
	"github.com/qapitools/qapi/mock/mocktest"
)

// lastAnswer keeps the status and body of the last answer, so the test can
// decode it itself and compare with what a method returned.
type lastAnswer struct {
	mu     sync.Mutex
	status int
	body   []byte
}

func (l *lastAnswer) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	l.status, l.body = resp.StatusCode, body
	l.mu.Unlock()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

func (l *lastAnswer) get() (int, []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.status, l.body
}

// TestEveryOperationAgainstTheMock calls the method of each of the
// contract's operations on the mock with arguments generated from the
// schemas, and checks the answer: on 2xx, the value the method returned is
// the answer's body decoded; otherwise the error is an *APIError decoded from
// a Qumulo error document, never a transport or decode error. An operation
// that pages is also iterated to its end.
func TestEveryOperationAgainstTheMock(t *testing.T) {
	t.Parallel()
	doc, plan, err := sdkgen.Load("../api.yaml", "../gen/qapi.gen.go")
	if err != nil {
		t.Fatal(err)
	}

	srv := mocktest.NewServer(t)
	last := &lastAnswer{}
	c, err := client.New(srv.URL, client.WithCredentials("admin", "admin"),
		client.WithHTTPClient(&http.Client{Transport: last}), client.WithRetry(client.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()

	var ok, seqs int
	apiErrors := map[int]int{}
	classes := map[string]int{}
	ops := plan.Ops()
	for _, op := range ops {
		where := fmt.Sprintf("%s.%s (%s %s)", op.Area, op.Name, op.Method, op.Path)
		service := reflect.ValueOf(c).Elem().FieldByName(op.Area)
		method := service.MethodByName(op.Name)
		if !method.IsValid() {
			t.Errorf("%s: no such method", where)
			continue
		}
		args, err := arguments(doc, op, method.Type())
		if err != nil {
			t.Errorf("%s: %v", where, err)
			continue
		}
		outs := method.Call(append([]reflect.Value{reflect.ValueOf(ctx)}, args...))
		status, body := last.get()
		callErr, _ := outs[len(outs)-1].Interface().(error)
		if callErr != nil {
			var apiErr *client.APIError
			if !errors.As(callErr, &apiErr) || apiErr.ErrorClass == "" {
				t.Errorf("%s: %v; want an *APIError with a Qumulo error class", where, callErr)
				continue
			}
			apiErrors[apiErr.StatusCode]++
			classes[apiErr.ErrorClass]++
		} else {
			if status/100 != 2 {
				t.Errorf("%s: no error for a %d answer", where, status)
				continue
			}
			if len(outs) == 2 {
				if err := sameAsBody(outs[0], body, op.Unwraps()); err != nil {
					t.Errorf("%s: %v", where, err)
					continue
				}
			}
			ok++
		}
		if op.Seq != "" {
			seqs++
			iterate := service.MethodByName(op.Seq)
			seq := iterate.Call(append([]reflect.Value{reflect.ValueOf(ctx)}, args...))[0]
			for _, v := range seq.Seq2() {
				if err, _ := v.Interface().(error); err != nil {
					var apiErr *client.APIError
					if !errors.As(err, &apiErr) || apiErr.ErrorClass == "" {
						t.Errorf("%s: %s yielded %v; want an *APIError with a Qumulo error class", where, op.Seq, err)
					}
				}
			}
		}
	}
	t.Logf("%d operations: %d answered 2xx with the decoded value, %d answered an *APIError (by status %v; by class %v)",
		len(ops), ok, len(ops)-ok, apiErrors, classes)
	if len(ops) != countOperations(doc) {
		t.Errorf("%d methods for %d operations of api.yaml", len(ops), countOperations(doc))
	}
	var failed int
	for _, n := range apiErrors {
		failed += n
	}
	if ok+failed != len(ops) {
		t.Errorf("%d answers accounted for (2xx and *APIError) of %d operations", ok+failed, len(ops))
	}
	if ok == 0 || seqs == 0 {
		t.Errorf("%d answered 2xx, %d iterators: the mock answered nothing useful", ok, seqs)
	}
}

func countOperations(doc *openapi3.T) int {
	n := 0
	for _, item := range doc.Paths.Map() {
		n += len(item.Operations())
	}
	return n
}

// arguments generates the arguments of op's method after the context: path
// parameters in path order, its Params from the query parameters' schemas
// (If-Match left out), and its body from the request schema.
func arguments(doc *openapi3.T, op *sdkgen.Op, mt reflect.Type) ([]reflect.Value, error) {
	item := doc.Paths.Value(op.Path)
	operation := item.GetOperation(op.Method)
	g := oas.NewGenerator(1, op.ID, oas.Request)
	params := map[string]*openapi3.Parameter{}
	for _, p := range oas.Parameters(item, operation) {
		params[p.Name] = p
	}
	var pathValues []string
	for _, seg := range strings.Split(op.Path, "/") {
		if name, ok := strings.CutPrefix(seg, "{"); ok {
			name = strings.TrimSuffix(name, "}")
			v := "1"
			if p := params[name]; p != nil && p.Schema != nil {
				v = fmt.Sprint(g.Value(p.Schema))
			}
			pathValues = append(pathValues, v)
		}
	}
	// The method takes ctx, the path parameters, Params, the body and
	// RequestOptions, in this order.
	var args []reflect.Value
	i := 1
	for _, pv := range pathValues {
		switch {
		case i >= mt.NumIn():
			return nil, fmt.Errorf("argument %d is not the path parameter %q", i, pv)
		case mt.In(i).Kind() == reflect.String:
			args = append(args, reflect.ValueOf(pv).Convert(mt.In(i)))
		case mt.In(i).Kind() == reflect.Int64:
			// An integer id (oas.IntegerIDs), one the twin never made.
			args = append(args, reflect.ValueOf(int64(1<<40+i)))
		default:
			return nil, fmt.Errorf("argument %d is not the path parameter %q", i, pv)
		}
		i++
	}
	if op.HasParams() {
		query := map[string]any{}
		for _, name := range slices.Sorted(maps.Keys(params)) {
			if p := params[name]; p.In == openapi3.ParameterInQuery && p.Schema != nil {
				query[name] = g.Value(p.Schema)
			}
		}
		v := reflect.New(mt.In(i).Elem())
		if err := fill(query, v.Interface()); err != nil {
			return nil, fmt.Errorf("params: %w", err)
		}
		args = append(args, v)
		i++
	}
	if op.HasBody() && mt.In(i) == reflect.TypeFor[io.Reader]() {
		args = append(args, reflect.ValueOf(strings.NewReader("a file's data")))
		i++
	} else if op.HasBody() {
		v := reflect.New(mt.In(i))
		if err := fill(g.Value(oas.RequestSchema(operation)), v.Interface()); err != nil {
			return nil, fmt.Errorf("body: %w", err)
		}
		args = append(args, v.Elem())
		i++
	}
	if i != mt.NumIn()-1 || !mt.IsVariadic() {
		return nil, fmt.Errorf("the method takes %d arguments, not ctx, %d path parameters, Params (%t), a body (%t) and options", mt.NumIn(), len(pathValues), op.HasParams(), op.HasBody())
	}
	return args, nil
}

// fill puts a generated JSON value into a Go value as the client would
// receive it from a user.
func fill(v any, into any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, into)
}

// sameAsBody checks that a method's result is its answer's body decoded,
// or the body itself when the result is a stream.
func sameAsBody(got reflect.Value, body []byte, unwraps bool) error {
	if rc, ok := got.Interface().(io.ReadCloser); ok {
		data, err := io.ReadAll(rc)
		if cerr := rc.Close(); err == nil {
			err = cerr
		}
		if err != nil || !bytes.Equal(data, body) {
			return fmt.Errorf("the stream read %q (%v), not the body %q", data, err, body)
		}
		return nil
	}
	// A job handle (client/jobs.go, client/adjob.go) stands for an answer
	// that carries no body.
	if _, ok := got.Type().MethodByName("Wait"); ok {
		if got.IsNil() {
			return errors.New("a nil job handle for a 2xx answer")
		}
		return nil
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return errors.New("a 2xx answer without the body the operation documents")
	}
	if unwraps {
		// The method returns the one list of the answer.
		var wrapper map[string]json.RawMessage
		if err := json.Unmarshal(body, &wrapper); err != nil || len(wrapper) > 1 {
			return fmt.Errorf("the body %s is not an object with one list (%v)", body, err)
		}
		want := reflect.New(got.Type())
		for _, list := range wrapper {
			if err := json.Unmarshal(list, want.Interface()); err != nil {
				return fmt.Errorf("the list does not decode (%v), yet the method returned no error", err)
			}
		}
		if !reflect.DeepEqual(got.Interface(), want.Elem().Interface()) {
			return fmt.Errorf("the result %+v is not the list of the body %s", got.Interface(), body)
		}
		return nil
	}
	t := got.Type()
	if t.Kind() == reflect.Pointer {
		if got.IsNil() {
			return errors.New("a nil result for a 2xx answer")
		}
		t, got = t.Elem(), got.Elem()
	}
	want := reflect.New(t)
	if err := json.Unmarshal(body, want.Interface()); err != nil {
		return fmt.Errorf("the body does not decode (%v), yet the method returned no error", err)
	}
	if !reflect.DeepEqual(got.Interface(), want.Elem().Interface()) {
		return fmt.Errorf("the result %+v is not the body %s decoded", got.Interface(), body)
	}
	return nil
}
