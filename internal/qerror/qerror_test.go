package qerror

import (
	"net/http/httptest"
	"reflect"
	"testing"
)

// What Write answers, Decode reads back; a stack sent as one string comes
// back as its lines; a body that is no error document is refused.
func TestWriteDecode(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	rec.Header().Set("ETag", `"qapi-1"`)
	Write(rec, 404, New("qumulo.rest", "fs_no_such_entry_error", "no such entry: /a<b>", true))
	if rec.Code != 404 || rec.Header().Get("Content-Type") != "application/json" || rec.Header().Get("ETag") != "" {
		t.Fatalf("answer %d %v", rec.Code, rec.Header())
	}
	if got, want := rec.Body.String(), `{"description":"no such entry: /a<b>","error_class":"fs_no_such_entry_error","module":"qumulo.rest","stack":[],"user_visible":true}`+"\n"; got != want {
		t.Errorf("body %s, want %s", got, want)
	}
	doc, stack, ok := Decode(rec.Body.Bytes())
	if !ok || doc.ErrorClass != "fs_no_such_entry_error" || len(stack) != 0 {
		t.Errorf("Decode = %+v %v %v", doc, stack, ok)
	}
	_, stack, ok = Decode([]byte(`{"module":"m","error_class":"c","description":"d","stack":"frame 1\nframe 2\n"}`))
	if !ok || !reflect.DeepEqual(stack, []string{"frame 1", "frame 2"}) {
		t.Errorf("string stack = %q", stack)
	}
	for _, body := range []string{"", "<html>bad gateway</html>", `{"other":1}`} {
		if _, _, ok := Decode([]byte(body)); ok {
			t.Errorf("Decode(%q) accepted", body)
		}
	}
}
