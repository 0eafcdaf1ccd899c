package mockserver

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
)

// readBody reads the whole body, bounded by limit. A body that cannot be read is answered with
// a problem: 413 past the limit, 408 when the client is too slow to send it (the server's read
// timeout), 400 when the connection breaks or the chunked encoding is corrupt.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, *problem) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err == nil {
		return data, nil
	}
	var mbe *http.MaxBytesError
	var ne net.Error
	switch {
	case errors.As(err, &mbe):
		return nil, newProblem(http.StatusRequestEntityTooLarge, fmt.Sprintf("request body exceeds %d bytes", limit))
	case errors.As(err, &ne) && ne.Timeout():
		w.Header().Set("Connection", "close")
		return nil, newProblem(http.StatusRequestTimeout, fmt.Sprintf("the request body did not arrive in time (%d bytes read)", len(data)))
	}
	w.Header().Set("Connection", "close")
	return nil, newProblem(http.StatusBadRequest, "the request body could not be read: "+err.Error())
}
