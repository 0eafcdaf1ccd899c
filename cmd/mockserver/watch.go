package main

import (
	"context"
	"fmt"
	"hash/fnv"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/mockserver/mockserver/mockserver"
	"github.com/mockserver/mockserver/mockserver/spec"
)

// watch reloads live whenever a file under paths changes (polled: no dependency, works on every
// file system and in containers with mounted volumes).
func watch(ctx context.Context, live *mockserver.Live, paths []string, every time.Duration, log *slog.Logger) {
	last := fingerprint(paths)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := fingerprint(paths)
		if now == last {
			continue
		}
		last = now
		srv, err := live.Reload(ctx)
		if err != nil {
			log.Error("reload failed; the previous version keeps serving", "error", err.Error())
			continue
		}
		log.Info("reloaded", "operations", len(srv.Routes()), "descriptions", len(srv.Documents()))
		logProblems(srv.Documents(), log, func(d *spec.Document) []string { return slices.Concat(d.Warnings, d.Validate(ctx)) })
	}
}

// fingerprint hashes the names, sizes and modification times of every file under paths.
func fingerprint(paths []string) uint64 {
	h := fnv.New64a()
	for _, p := range paths {
		_ = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				fmt.Fprintf(h, "%s!%v\n", path, err)
				return nil
			}
			if d.IsDir() {
				return nil
			}
			if info, err := d.Info(); err == nil {
				fmt.Fprintf(h, "%s|%d|%d\n", path, info.Size(), info.ModTime().UnixNano())
			}
			return nil
		})
		if _, err := os.Stat(p); err != nil {
			fmt.Fprintf(h, "%s missing\n", p)
		}
	}
	return h.Sum64()
}
