// Command ready waits for a server's first HTTP answer (any status), polling every 20 ms from
// one process: a shell loop starting curl every 20 ms takes a good part of a core on a 2-core
// machine, which a server loading a large description on both cores then lacks, and its
// start-up is measured slower than it is.
//
//	ready -url http://127.0.0.1:PORT/ -pid PID -timeout 120s
//
// Exit status: 0 once answered, 1 after the timeout, 2 when the process PID is gone first.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"net/http"
	"os"
	"time"
)

func main() {
	url := flag.String("url", "", "the URL to ask")
	pid := flag.Int("pid", 0, "give up when this process has exited (0: never)")
	timeout := flag.Duration("timeout", 2*time.Minute, "give up after this long")
	every := flag.Duration("every", 20*time.Millisecond, "time between attempts")
	flag.Parse()
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(*timeout)
	for time.Now().Before(deadline) {
		if res, err := client.Get(*url); err == nil {
			res.Body.Close()
			os.Exit(0)
		}
		if *pid > 0 && !running(*pid) {
			os.Exit(2)
		}
		time.Sleep(*every)
	}
	os.Exit(1)
}

// running reports whether the process is alive: present, and not a zombie (an exited child its
// parent, the benchmark script, has not waited for yet).
func running(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// pid (comm) state …: comm may hold spaces and parentheses, the state follows the last ')'.
	i := bytes.LastIndexByte(stat, ')')
	return i >= 0 && i+2 < len(stat) && stat[i+2] != 'Z'
}
