package scenario

import "sort"

// fileOrigin marks a scenario the fixture files define.
type fileOrigin struct {
	active bool // the activation the files gave it
}

func isActive(a *bool) bool { return a == nil || *a }

// MarkFiles records that every scenario s holds now is defined by the fixture files,
// so that a later Reload replaces them with the files' scenarios of that time. Call it
// once the files are loaded and before the control API can put scenarios (a server
// does, before it serves).
func (s *Set) MarkFiles() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for name, e := range s.byName {
		if e.sc.files != nil {
			continue
		}
		sc := e.sc
		sc.files = &fileOrigin{active: isActive(sc.Active)}
		s.replace(name, &entry{sc: sc, match: e.match})
	}
}

// Reload makes s, the Set a server is serving, hold the scenarios of files (a Set just
// loaded from the fixture files as they are now, not serving) in place of the ones the
// files defined before, in place: s stays the Set of the new version too, shared with
// the old one until it stops, so that a scenario put and a step answered through either
// version are never lost.
//
//   - A scenario of files replaces the one of the same name s holds, keeping its progress
//     in every session (a session past the new definition's steps finds it exhausted),
//     and its activation when it was switched at run time (activate, deactivate) since
//     the files were read; otherwise it takes the files' activation.
//   - A scenario the files defined before and no longer do is dropped, with its progress.
//   - A scenario put at run time (decoded from JSON, as the control API does) that the
//     files do not name stays, with its progress, if keep accepts it (the new version's
//     operations still honour it); otherwise it is dropped.
//
// keep runs under the Set's lock and must not call it. files is left unchanged.
func (s *Set) Reload(files *Set, keep func(Scenario) bool) {
	files.mu.Lock()
	fresh := make(map[string]*entry, len(files.byName))
	for name, e := range files.byName {
		fresh[name] = e // entries are never changed once made: Put makes new ones
	}
	files.mu.Unlock()

	s.mu.Lock()
	defer s.mu.Unlock()
	byName := make(map[string]*entry, len(s.byName)+len(fresh))
	for name, e := range s.byName {
		if fresh[name] != nil {
			continue
		}
		if e.sc.files != nil || !keep(e.sc.clone()) {
			s.forget(name)
			continue
		}
		byName[name] = e
	}
	for name, f := range fresh {
		sc := f.sc.clone()
		sc.files = &fileOrigin{active: isActive(sc.Active)}
		if old := s.byName[name]; old != nil && old.sc.files != nil && isActive(old.sc.Active) != old.sc.files.active {
			a := isActive(old.sc.Active) // switched at run time: it stays so
			sc.Active = &a
		}
		byName[name] = &entry{sc: sc, match: f.match}
	}
	s.byName = byName
	s.order = make([]*entry, 0, len(byName))
	for _, e := range byName {
		s.order = append(s.order, e)
	}
	sort.Slice(s.order, func(i, j int) bool { return s.order[i].sc.Name < s.order[j].sc.Name })
}

// replace puts e in place of the entry of name, keeping its progress (s.mu held).
func (s *Set) replace(name string, e *entry) {
	s.byName[name] = e
	for i, old := range s.order {
		if old.sc.Name == name {
			s.order[i] = e
		}
	}
}
