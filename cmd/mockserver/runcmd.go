package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// runCommand is `mockserver run [flags] -- CMD ARG...`: it serves the mock with flags (the
// plain form's), runs CMD once the mock answers, with MOCKSERVER_URL set to the mock's base
// URL and the standard streams inherited, then stops the mock as a signal would (the drain,
// the reports) and exits with CMD's code when CMD failed, else with the mock's (3 with
// --fail-on-violation and a broken contract).
//
// Signals (SIGINT, SIGTERM) are passed on to CMD, and the mock keeps answering until CMD has
// exited, so that it can wind down; from the second one on, the mock's drain is cut short.
// A signal before CMD started stops the mock and exits 128+signal without running it.
func runCommand(sigs <-chan os.Signal, o options, args []string, stdout, stderr io.Writer) int {
	fs := o.flagSet("mockserver run", stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: mockserver run [flags] -- CMD [ARG...]\n\n"+
			"Serves the mock, runs CMD once it answers (with MOCKSERVER_URL set to its base URL), then\n"+
			"stops the mock, writing its reports. Exit status: CMD's when it failed (128+N when killed by\n"+
			"signal N, 127 when it cannot be started), else the mock's: 0, or 3 with --fail-on-violation\n"+
			"when a request broke its contract; 1 or 2 when the mock cannot start (CMD is not run).\n\nFlags (as mockserver's):\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if err := o.check(); err != nil {
		fmt.Fprintln(stderr, "mockserver run:", err)
		return exitUsage
	}
	argv := fs.Args()
	if len(argv) == 0 {
		fmt.Fprintln(stderr, "mockserver run: missing the command to run (mockserver run [flags] -- CMD [ARG...])")
		return exitUsage
	}

	mock := newStopper()
	defer mock.stop()
	stopMock, hurry := mock.stop, mock.hurry
	ready := make(chan string, 1)
	served := make(chan int, 1)
	go func() {
		s := mock.serving
		s.ready = func(u string) { ready <- u }
		served <- serve(o, s, stdout, stderr)
	}()
	var base string
	select {
	case base = <-ready:
	case code := <-served: // it could not start
		return code
	case sig := <-sigs:
		stopMock()
		hurry()
		<-served
		fmt.Fprintf(stderr, "mockserver run: %s before %s started; not run\n", sig, argv[0])
		return signalCode(sig)
	}

	cmdCode, signals := command(argv, base, sigs, stdout, stderr)
	if signals > 1 {
		hurry()
	}
	stopMock()
	// A signal during the mock's drain cuts it short.
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-sigs:
			hurry()
		case <-done:
		}
	}()
	mockCode := <-served
	if cmdCode != 0 {
		return cmdCode
	}
	return mockCode
}

// command runs argv with MOCKSERVER_URL=base and the standard streams, passing on the signals
// it receives meanwhile; it returns argv's exit code, as a shell reports it, and how many
// signals came.
func command(argv []string, base string, sigs <-chan os.Signal, stdout, stderr io.Writer) (code, signals int) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, stdout, stderr
	cmd.Env = append(os.Environ(), "MOCKSERVER_URL="+base)
	// When stdout or stderr is not a file, what the command's children still write once it
	// has exited is not waited for long.
	cmd.WaitDelay = time.Second
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(stderr, "mockserver run:", err)
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, os.ErrNotExist) {
			return 127, 0
		}
		return 126, 0
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	// A Ctrl-C at a terminal reaches the command already (it is in the terminal's foreground
	// process group): passing it on too would be a second one, which test runners read as
	// "quit now, skip the clean-up".
	interactive := isTerminal(os.Stdin)
	for {
		select {
		case sig := <-sigs:
			signals++
			if sig == os.Interrupt && interactive {
				continue
			}
			_ = cmd.Process.Signal(sig)
		case err := <-exited:
			code = exitCode(err)
			if code != 0 {
				fmt.Fprintf(stderr, "mockserver run: %s exited with %d\n", strings.Join(argv, " "), code)
			}
			return code, signals
		}
	}
}

// exitCode is the exit code of a command that ended with err, as a shell reports it: 128+N
// when signal N killed it.
func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return exitSpecs
	}
	if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ee.ExitCode()
}

// signalCode is the exit code of a process that stops for sig, as a shell reports it.
func signalCode(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return exitSpecs
}
