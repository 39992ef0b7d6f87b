package sdkgen

import (
	"strconv"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/qapitools/qapi/internal/oas"
)

// Bodies that are not JSON, such as a file's data
// (application/octet-stream both ways), are streams: the method takes the
// request body as an io.Reader, sent as it is read, and answers an
// io.ReadCloser that reads the answer from the connection.

// streamedBody is the media type of op's request body when the body is not
// JSON, or "".
func streamedBody(op *openapi3.Operation) string {
	if types := oas.StreamTypes(op); len(types) > 0 {
		return types[0]
	}
	return ""
}

// streamedAnswer tells whether op answers its success with a body that is
// not JSON.
func streamedAnswer(op *openapi3.Operation) bool {
	status, _, _ := oas.Success(op)
	r := op.Responses.Status(status)
	return r != nil && r.Value != nil && oas.BytesOnly(r.Value.Content)
}

// streamArgs are the builder's arguments for a streamed body: its media
// type and the reader.
func (o *Op) streamArgs() []string {
	return []string{strconv.Quote(o.shape.stream), "body"}
}
