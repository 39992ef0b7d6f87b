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

	resp, err := http.Post(srv.URL+"/v1/session/login", "application/json", strings.NewReader(`{"username":"admin","password":"admin"}`))
	if err != nil {
		panic(err)
	}
	var creds struct {
		BearerToken string `json:"bearer_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&creds)
	resp.Body.Close()

	req, _ := http.NewRequest("GET", srv.URL+"/v2/encryption/key-store", nil)
	req.Header.Set("Authorization", "Bearer "+creds.BearerToken)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Print(resp.Status, " ", string(body))
	// Output: 200 OK {"local_store":{"status":"Encrypted"},"type":"Local"}
}
