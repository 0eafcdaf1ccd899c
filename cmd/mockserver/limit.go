package main

import (
	"net"
	"sync"
)

// defaultMaxConns is --max-connections when unset. A connection costs the mock its buffers
// and, while a request's headers arrive, up to the 64 KiB they may take: 1024 of them stay
// under 100 MiB whatever clients send, and far more than a test suite or a browser opens.
const defaultMaxConns = 1024

// limitListener accepts at most n connections open at once: past it, Accept waits for one to
// close, and the next clients wait in the kernel's queue, as they would for a busy server.
func limitListener(ln net.Listener, n int) net.Listener {
	return &limited{Listener: ln, slots: make(chan struct{}, n)}
}

type limited struct {
	net.Listener
	slots chan struct{}
}

func (l *limited) Accept() (net.Conn, error) {
	l.slots <- struct{}{}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &limitedConn{Conn: c, release: func() { <-l.slots }}, nil
}

// limitedConn gives its slot back when it is first closed.
type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
