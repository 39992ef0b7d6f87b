package client_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"log/slog"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/qapitools/qapi/client"
	"github.com/qapitools/qapi/mock"
	"github.com/qapitools/qapi/mock/mocktest"
)

// kmsMaterial makes a PEM certificate and private key, as an operator would
// hand to the cluster for its Key Management Server.
func kmsMaterial(t *testing.T) (certPEM, keyPEM string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "qumulo-kms-client"}, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}))
}

// End to end against the mock over TLS: log in with the mock's certificate
// trusted, switch the key store to KMS and back, and see a stale ETag
// refused; the private key shows in no log line.
func TestAgainstMockOverTLS(t *testing.T) {
	t.Parallel()
	srv := mocktest.NewServer(t, mock.WithTLS(), mock.WithCredentials("admin", "s3cret-pass-123"))
	var logs bytes.Buffer
	c, err := client.New(srv.URL, client.WithCredentials("admin", "s3cret-pass-123"), client.WithCABundle(srv.CertPEM),
		client.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	ks, err := c.KeyStore(ctx)
	if err != nil {
		t.Fatal(err)
	}
	local, ok := ks.(client.LocalKeyStore)
	if !ok || local.Status != "Encrypted" {
		t.Fatalf("a new cluster's key store = %#v, want Local and Encrypted", ks)
	}
	cert, key := kmsMaterial(t)
	if err := c.UseKMSKeyStore(ctx, client.KMSConfig{Hostname: "kms.example.com", KeyID: "master-1", ServerCACert: cert, ClientCert: cert, ClientPrivateKey: key}); err != nil {
		t.Fatal(err)
	}
	ks, err = c.KeyStore(ctx)
	if err != nil {
		t.Fatal(err)
	}
	kms, ok := ks.(client.KMSKeyStore)
	if !ok || kms.Hostname != "kms.example.com" || kms.Port != 5696 || kms.KeyID != "master-1" || kms.ConfigCreationTime.IsZero() {
		t.Fatalf("after UseKMSKeyStore the key store = %#v", ks)
	}
	stale := local.ETag()
	if err := c.UseLocalKeyStore(ctx, client.IfMatch(stale)); !client.IsPreconditionFailed(err) {
		t.Fatalf("a write with the stale ETag %s: err = %v, want a precondition failure", stale, err)
	}
	if err := c.UseLocalKeyStore(ctx, client.IfMatch(kms.ETag())); err != nil {
		t.Fatal(err)
	}
	if ks, err = c.KeyStore(ctx); err != nil || ks.Type() != "Local" {
		t.Fatalf("after UseLocalKeyStore: %#v, %v", ks, err)
	}
	for _, secret := range []string{"s3cret-pass-123", strings.Split(key, "\n")[1]} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("a log line shows a secret")
		}
	}
	if !strings.Contains(logs.String(), "/v2/encryption/key-store") {
		t.Errorf("debug logs show no request:\n%s", logs.String())
	}
}
