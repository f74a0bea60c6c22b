package main

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
)

func TestVersion(t *testing.T) {
	if v := versionString(); !strings.Contains(v, runtime.Version()) || !strings.HasPrefix(v, "livedash example ") {
		t.Errorf("version %q", v)
	}
	if err := run([]string{"-version"}); err != nil {
		t.Errorf("-version: %v", err)
	}
}

// TestPortTaken: an address in use is one clear line saying what to do.
func TestPortTaken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	err = run([]string{"-addr", ln.Addr().String(), "-demo=false"})
	if err == nil || !strings.Contains(err.Error(), "already in use") || !strings.Contains(err.Error(), "-addr") || strings.Contains(err.Error(), "\n") {
		t.Errorf("port taken: %v", err)
	}
}

func TestTLSFlagsGoTogether(t *testing.T) {
	if err := run([]string{"-tls-cert", "cert.pem"}); err == nil || !strings.Contains(err.Error(), "go together") {
		t.Errorf("-tls-cert alone: %v", err)
	}
	if err := run([]string{"-tls-cert", "nope.pem", "-tls-key", "nope.pem"}); err == nil {
		t.Error("missing certificate files accepted")
	}
}

// TestServesTLS runs the example with a certificate: the page over
// https: and the socket over wss:.
func TestServesTLS(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the example binary")
	}
	dir := t.TempDir()
	certFile, keyFile := writeCert(t, dir)
	bin := buildExample(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-addr", "127.0.0.1:0", "-tls-cert", certFile, "-tls-key", keyFile, "-demo=false")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Signal(syscall.SIGTERM)
	lines := bufio.NewScanner(stdout)
	var url string
	for lines.Scan() {
		if m := regexp.MustCompile(`^Livedash: (\S+)`).FindStringSubmatch(lines.Text()); m != nil {
			url = m[1]
			break
		}
	}
	if !strings.HasPrefix(url, "https://") {
		t.Fatalf("the example printed %q, want an https: URL", url)
	}
	go func() {
		for lines.Scan() { // drain
		}
	}()
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("page over TLS: %d", resp.StatusCode)
	}
	ws, _, err := websocket.Dial(ctx, "wss"+strings.TrimPrefix(url, "https")+"ws", &websocket.DialOptions{HTTPClient: client})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	ws.SetReadLimit(16 << 20)
	if _, data, err := ws.Read(ctx); err != nil || !strings.Contains(string(data), `"type":"schema"`) {
		t.Fatalf("first message over wss: %v %.80s", err, data)
	}
}

// writeCert writes a self-signed certificate for 127.0.0.1 and its key.
func writeCert(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "livedash test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}
