// Command mockserver serves OpenAPI descriptions as a validating mock.
//
//	mockserver [flags]                   serve specs/ on 127.0.0.1:4010
//	mockserver mock [prism mock flags] SPEC…   Prism's command line (prism.go)
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first signal starts the drain, a second one kills the process at once.
		<-ctx.Done()
		stop()
	}()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}
