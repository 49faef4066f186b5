// Command flosum-testserver serves the test server's fake Flosum Backup API
// on a loopback port, with sample data, for the demo and manual testing.
//
// It prints the base URL on its first line of output, then, one per line as
// the provider's environment variables, the Global Settings URL (the same
// origin) and the OAuth credentials it accepts: client id, client secret,
// redirect URI and a refresh token. Then it serves until it is interrupted.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on (a loopback address; port 0 picks a free one)")
	count := flag.Int("connections", 12, "number of sample connections to serve")
	token := flag.String("token", testserver.DefaultToken, "bearer token the server accepts")
	latency := flag.Duration("latency", 0, "delay added to every answer, to simulate a round trip")
	urlFile := flag.String("url-file", "", "also write the base URL to this file once listening")
	flag.Parse()

	server, httpServer, err := testserver.Listen(*addr, testserver.Options{
		Token:       *token,
		Connections: testserver.Seed(*count),
		Latency:     *latency,
	})
	if err != nil {
		log.Fatalf("flosum-testserver: %v", err)
	}
	fmt.Println(server.URL)
	oauth := server.OAuthConfig()
	fmt.Printf("FLOSUM_GLOBAL_SETTINGS_URL=%s\nFLOSUM_CLIENT_ID=%s\nFLOSUM_CLIENT_SECRET=%s\nFLOSUM_REDIRECT_URI=%s\nFLOSUM_REFRESH_TOKEN=%s\n",
		server.GlobalSettingsURL, oauth.ClientID, oauth.ClientSecret, oauth.RedirectURI, oauth.RefreshToken)
	if *urlFile != "" {
		if err := os.WriteFile(*urlFile, []byte(server.URL+"\n"), 0o600); err != nil {
			log.Fatalf("flosum-testserver: %v", err)
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := httpServer.Shutdown(shutdownCtx); err != nil {
		log.Printf("flosum-testserver: shutdown: %v", err)
	}
}
