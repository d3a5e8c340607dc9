package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/auditlog/auditlog/logger"
)

// Store is a small in-memory store of an agent's memories, audited on
// every operation through the logger's helpers: the caller's identity
// comes from the context (logger.WithActor), each operation is a Track,
// and an update records what changed.
type Store struct {
	audit *logger.Logger
	mu    sync.Mutex
	mems  map[string]Memory
	next  int
}

// Memory is one stored memory.
type Memory struct {
	ID   string   `json:"id"`
	Text string   `json:"text"`
	Tags []string `json:"tags,omitempty"`
}

// ErrNotFound is returned for an unknown memory.
var ErrNotFound = errors.New("memory not found")

// NewStore returns an empty store audited by l.
func NewStore(l *logger.Logger) *Store {
	return &Store{audit: l, mems: make(map[string]Memory)}
}

func (s *Store) track(ctx context.Context, op logger.Operation, fn func(context.Context) error, opts ...logger.SpanOption) error {
	opts = append([]logger.SpanOption{logger.WithResource("memory_store", "default", "agent memories")}, opts...)
	return s.audit.Track(ctx, op, fn, opts...)
}

// Store saves text and returns the new memory's id.
func (s *Store) Store(ctx context.Context, text string, tags ...string) (string, error) {
	s.mu.Lock()
	s.next++
	id := fmt.Sprintf("mem-%d", s.next)
	s.mu.Unlock()
	err := s.track(ctx, logger.OpStore, func(context.Context) error {
		if text == "" {
			return errors.New("empty memory")
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		s.mems[id] = Memory{ID: id, Text: text, Tags: tags}
		return nil
	}, logger.WithEntryIDs(id), logger.WithMetadata(map[string]any{"chars": len(text)}))
	return id, err
}

// Recall returns the memories whose tags include tag.
func (s *Store) Recall(ctx context.Context, tag string) ([]Memory, error) {
	var out []Memory
	sp := s.audit.Begin(ctx, logger.OpRecall, logger.WithResource("memory_store", "default", "agent memories"))
	s.mu.Lock()
	for _, m := range s.mems {
		for _, t := range m.Tags {
			if t == tag {
				out = append(out, m)
				sp.AddEntryIDs(m.ID)
			}
		}
	}
	s.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	sp.AddMetadata("tag", tag)
	sp.AddMetadata("found", len(out))
	_ = sp.End(nil)
	return out, nil
}

// Update replaces the text of a memory, recording the change.
func (s *Store) Update(ctx context.Context, id, text string) error {
	s.mu.Lock()
	before, ok := s.mems[id]
	after := before
	after.Text = text
	if ok {
		s.mems[id] = after
	}
	s.mu.Unlock()
	ev := logger.Event{ResourceType: "memory", ResourceID: id, EntryIDs: []string{id}}
	if !ok {
		ev.Operation, ev.Status, ev.ErrorMessage = logger.OpUpdate, logger.StatusFailure, ErrNotFound.Error()
		_ = s.audit.Log(ctx, ev)
		return ErrNotFound
	}
	return s.audit.LogChange(ctx, ev, before, after)
}

// Forget deletes a memory.
func (s *Store) Forget(ctx context.Context, id string) error {
	return s.track(ctx, logger.OpForget, func(context.Context) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		if _, ok := s.mems[id]; !ok {
			return ErrNotFound
		}
		delete(s.mems, id)
		return nil
	}, logger.WithEntryIDs(id))
}

// Compact removes memories whose text repeats an older one's, and
// returns how many went.
func (s *Store) Compact(ctx context.Context) (int, error) {
	removed := 0
	err := s.track(ctx, logger.OpCompact, func(ctx context.Context) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		ids := make([]string, 0, len(s.mems))
		for id := range s.mems {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		seen := map[string]bool{}
		for _, id := range ids {
			if t := s.mems[id].Text; seen[t] {
				delete(s.mems, id)
				removed++
			} else {
				seen[t] = true
			}
		}
		return nil
	})
	return removed, err
}

// Import adds memories in bulk.
func (s *Store) Import(ctx context.Context, texts []string) error {
	return s.track(ctx, logger.OpImport, func(ctx context.Context) error {
		for _, t := range texts {
			if _, err := s.Store(ctx, t, "imported"); err != nil {
				return err
			}
		}
		return nil
	}, logger.WithMetadata(map[string]any{"count": len(texts)}))
}

// Export returns every memory, as a bulk export would.
func (s *Store) Export(ctx context.Context) ([]Memory, error) {
	var out []Memory
	err := s.track(ctx, logger.OpExport, func(context.Context) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, m := range s.mems {
			out = append(out, m)
		}
		return nil
	})
	return out, err
}
