package body

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/multipart"

	"github.com/getkin/kin-openapi/openapi3"
)

// decodeMultipart decodes a multipart/form-data body into an object.
func decodeMultipart(data []byte, params map[string]string, schema *openapi3.Schema, lim Limits) (Decoded, error) {
	boundary := params["boundary"]
	if boundary == "" {
		return Decoded{}, newError(CodeMultipartSyntax, nil, "multipart/form-data without a boundary parameter")
	}
	maxDepth, maxParts := lim.maxDepth(), lim.maxParts()
	mr := multipart.NewReader(bytes.NewReader(data), boundary)
	root := &formNode{}
	var files []File
	var buf bytes.Buffer
	for count := 0; ; count++ {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return Decoded{}, newError(CodeMultipartSyntax, nil,
				fmt.Sprintf("malformed multipart body after %d parts: %v", count, err))
		}
		if count >= maxParts {
			part.Close()
			return Decoded{}, newError(CodeMultipartParts, nil,
				fmt.Sprintf("multipart body has more than %d parts", maxParts))
		}
		name := part.FormName()
		var loc []string
		if name != "" {
			loc = []string{name}
		}
		// A part's content cannot be longer than the body: read at most
		// that much, into a buffer reused across parts.
		buf.Reset()
		_, err = buf.ReadFrom(io.LimitReader(part, int64(len(data))+1))
		part.Close()
		if err != nil {
			return Decoded{}, newError(CodeMultipartSyntax, loc,
				fmt.Sprintf("malformed multipart part %d: %v", count+1, err))
		}
		if name == "" {
			continue // like multipart.Reader.ReadForm
		}
		segs := splitKey(name)
		if len(segs) > maxDepth {
			return Decoded{}, depthError(segs, maxDepth)
		}

		if filename := part.FileName(); filename != "" {
			files = append(files, File{
				Field:       name,
				Filename:    filename,
				ContentType: part.Header.Get("Content-Type"),
				Size:        int64(buf.Len()),
			})
			root.insert(segs, &formNode{isLeaf: true, kind: leafFile, text: buf.String()})
			continue
		}

		if ct := part.Header.Get("Content-Type"); ct != "" {
			if mt, _, err := mime.ParseMediaType(ct); err == nil && IsJSON(mt) {
				switch schemaKind(schemaAt(schema, segs)) {
				case openapi3.TypeObject, openapi3.TypeArray:
					v, err := decodeJSON(buf.Bytes(), maxDepth-len(segs), append([]string{"body"}, segs...))
					if err != nil {
						return Decoded{}, err
					}
					root.insert(segs, &formNode{isLeaf: true, kind: leafValue, value: v})
					continue
				}
			}
		}
		root.insert(segs, &formNode{isLeaf: true, kind: leafText, text: buf.String()})
	}
	v, err := finalizeRoot(root, schema)
	if err != nil {
		return Decoded{}, err
	}
	return Decoded{Value: v, Files: files}, nil
}

// schemaAt follows the form key segments through schema, approximately as
// finalize will: "" and decimal indices step into items when the schema is
// not an object; other segments are properties.
func schemaAt(schema *openapi3.Schema, segs []string) *openapi3.Schema {
	s := propSchema(schema, segs[0])
	for _, seg := range segs[1:] {
		if s == nil {
			return nil
		}
		if seg == "" {
			s = itemSchema(s, 0)
			continue
		}
		if i, ok := isIndex(seg); ok && schemaKind(s) != openapi3.TypeObject {
			s = itemSchema(s, i)
			continue
		}
		s = propSchema(s, seg)
	}
	return s
}
