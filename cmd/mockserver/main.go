// Command mockserver serves OpenAPI descriptions as a validating mock.
//
//	mockserver [flags]                          serve specs/ on 127.0.0.1:4010
//	mockserver mock [prism mock flags] SPEC…    Prism's command line (prism.go)
//	mockserver run [flags] -- CMD ARG…          serve while CMD runs (runcmd.go)
//	mockserver wait [--url URL] [--timeout D]   wait until a mock answers (wait.go)
//	mockserver validate [flags]                 check descriptions and fixtures (validate.go)
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	// SIGINT and SIGTERM stay caught for the whole run: the first starts the drain, the second
	// cuts it short, and either way the reports are written and the exit code kept (serve.go).
	// `mockserver run` forwards them to its command instead (runcmd.go).
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	os.Exit(run(sigs, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}
