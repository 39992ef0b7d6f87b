package mock_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/qapitools/qapi/mock"
)

// A mock is an http.Handler: serve it with httptest, log in, and read the
// key store, which starts Local and Encrypted.
func Example() {
	m, err := mock.New(mock.WithCredentials("admin", "admin"))
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(m)
	defer srv.Close()
	token := login(srv.URL)

	req, _ := http.NewRequest("GET", srv.URL+"/v2/encryption/key-store", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Print(resp.Status, " ", string(body))
	// Output: 200 OK {"local_store":{"status":"Encrypted"},"type":"Local"}
}

// A fault (and a reaction) applies however the mock is served: here the
// same httptest server answers a wrong type in a field.
func ExampleWithFault() {
	m, err := mock.New(mock.WithFault(mock.FaultWrongFieldType))
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(m)
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/v1/version")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Print(string(body))
	// Output: {"build_date":12345,"build_id":"7.2.3.1","flavor":"release","revision_id":"Qumulo Core 7.2.3"}
}

// A reaction makes one operation fail for a test, here once, with a status
// and error class of the test's choosing.
func ExampleMock_React() {
	m, err := mock.New()
	if err != nil {
		panic(err)
	}
	remove, err := m.React(mock.Reaction{Method: "GET", Path: "/v1/version", Status: 503, Times: 1})
	if err != nil {
		panic(err)
	}
	defer remove()
	srv := httptest.NewServer(m)
	defer srv.Close()
	for range 2 {
		resp, err := http.Get(srv.URL + "/v1/version")
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
		fmt.Println(resp.Status)
	}
	// Output:
	// 503 Service Unavailable
	// 200 OK
}

func login(url string) string {
	resp, err := http.Post(url+"/v1/session/login", "application/json", strings.NewReader(`{"username":"admin","password":"admin"}`))
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var creds struct {
		BearerToken string `json:"bearer_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&creds)
	return creds.BearerToken
}
