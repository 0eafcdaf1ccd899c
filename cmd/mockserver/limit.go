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
// close (or the listener to), and the next clients wait in the kernel's queue, as they would
// for a busy server.
func limitListener(ln net.Listener, n int) net.Listener {
	return &limited{Listener: ln, slots: make(chan struct{}, n), done: make(chan struct{})}
}

type limited struct {
	net.Listener
	slots     chan struct{}
	done      chan struct{} // closed by Close: an Accept waiting for a slot returns
	closeOnce sync.Once
}

func (l *limited) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &limitedConn{Conn: c, release: func() { <-l.slots }}, nil
}

func (l *limited) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// limitedConn gives its slot back when it is first closed. It passes on what net/http and the
// faults use of a TCP connection: half-closing it, and closing it with a reset.
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

// CloseWrite half-closes the connection, as net/http does before closing one it answered
// with Connection: close, so that the client reads the answer rather than a reset.
func (c *limitedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return c.Conn.Close()
}

// SetLinger sets what closing does with unsent data (0: a reset), where the connection has it.
func (c *limitedConn) SetLinger(sec int) error {
	if sl, ok := c.Conn.(interface{ SetLinger(int) error }); ok {
		return sl.SetLinger(sec)
	}
	return nil
}
