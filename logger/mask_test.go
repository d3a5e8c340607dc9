package logger_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/logger"
)

// syncBuffer is a bytes.Buffer that a mirror's handler may write from the
// applier goroutine while the test reads it after Flush.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// stored is what each place an event reaches holds of it.
type stored struct {
	memory, journal []logger.Event
	mirror          []map[string]any
	raw             string // the journal's and the mirror's bytes
}

// logAndRead logs evs through a logger with a journal and a JSON console
// mirror, masking with mo, and reads back what each of them holds.
func logAndRead(t *testing.T, mo logger.MaskOptions, evs ...logger.Event) stored {
	t.Helper()
	dir := t.TempDir()
	var console syncBuffer
	l, err := logger.New(logger.Options{
		Mask:    mo,
		Journal: &logger.JournalOptions{Dir: dir},
		Mirror:  slog.New(slog.NewJSONHandler(&console, nil)),
	})
	require.NoError(t, err)
	for _, ev := range evs {
		require.NoError(t, l.Log(context.Background(), ev))
	}
	require.NoError(t, l.Flush(context.Background()))
	var s stored
	s.memory = l.Query(logger.Filter{Ascending: true})
	require.NoError(t, l.Close())

	var raw strings.Builder
	require.NoError(t, export.ReadJournal(dir, func(line export.Line) error {
		raw.Write(line.Data)
		var ev logger.Event
		require.NoError(t, json.Unmarshal(line.Data, &ev))
		s.journal = append(s.journal, ev)
		return nil
	}))
	raw.WriteString(console.String())
	s.raw = raw.String()
	for _, line := range strings.Split(strings.TrimSpace(console.String()), "\n") {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m), line)
		s.mirror = append(s.mirror, m)
	}
	require.Len(t, s.memory, len(evs))
	require.Len(t, s.journal, len(evs))
	require.Len(t, s.mirror, len(evs))
	return s
}

// maskCases are keys and whether their values are masked by default.
var maskCases = []struct {
	key    string
	masked bool
}{
	// The default keys, in every style.
	{"password", true}, {"Password", true}, {"PASSWORD", true}, {"user_password", true},
	{"userPassword", true}, {"new-password", true}, {"newpassword", true}, {"passwords", true},
	{"passwd", true}, {"db_passwd", true}, {"passphrase", true},
	{"secret", true}, {"client_secret", true}, {"clientSecret", true}, {"secrets", true}, {"SECRET_KEY", true},
	{"token", true}, {"access_token", true}, {"accessToken", true}, {"refreshToken", true},
	{"X-Auth-Token", true}, {"csrftoken", true}, {"token_count", true},
	{"api_key", true}, {"apiKey", true}, {"APIKey", true}, {"X-Api-Key", true}, {"API_KEY", true},
	{"apikey", true}, {"api_keys", true},
	{"private_key", true}, {"privateKey", true}, {"private-key", true},
	{"private_keys", true}, {"privateKeys", true}, {"ssh_privatekeys", true}, {"userApiKeys", true},
	{"credential", true}, {"credentials", true}, {"aws_credentials", true},
	{"authorization", true}, {"Authorization", true}, {"Proxy-Authorization", true},
	{"cookie", true}, {"Set-Cookie", true}, {"sessionCookie", true}, {"cookies", true},
	{"ssn", true}, {"SSN", true}, {"user_ssn", true},
	{"credit_card", true}, {"creditCard", true}, {"creditcard", true},
	{"card_number", true}, {"cardNumber", true}, {"CARD-NUMBER", true},
	{"cvv", true}, {"CVV2", true}, {"card.cvv", true}, {"payment card cvv", true},
	{"pwd", true}, {"PWD", true}, {"user_pwd", true}, {"oldPwd", true}, {"newpwd", true}, {"pwds", true},
	{"pin", true}, {"PIN", true}, {"card_pin", true}, {"pinCode", true}, {"pins", true},
	{"otp", true}, {"OTP", true}, {"otp_code", true}, {"smsOtp", true}, {"otps", true},
	{"passcode", true}, {"Passcode", true}, {"user-passcode", true}, {"devicepasscode", true}, {"passcodes", true},
	{"cvc", true}, {"CVC", true}, {"card_cvc", true}, {"CVC2", true},
	{"jwt", true}, {"JWT", true}, {"id_jwt", true}, {"X-JWT", true}, {"jwts", true},
	{"encryption_key", true}, {"encryptionKey", true}, {"ENCRYPTION_KEY", true}, {"encryption-key", true},
	{"encryptionkey", true}, {"data_encryption_keys", true},
	{"signing_key", true}, {"signingKey", true}, {"SIGNING-KEY", true}, {"webhook_signingkey", true}, {"signing_keys", true},
	{"master_key", true}, {"masterKey", true}, {"MASTER_KEY", true}, {"masterkey", true}, {"master_keys", true},
	{"social_security_number", true}, {"socialSecurityNumber", true}, {"Social-Security-Number", true},
	{"socialsecuritynumber", true}, {"social_security_numbers", true},
	{"iban", true}, {"IBAN", true}, {"payee_iban", true}, {"ibans", true},
	{"account_number", true}, {"accountNumber", true}, {"ACCOUNT-NUMBER", true}, {"bankaccountnumber", true},
	{"account_numbers", true},
	// Ordinary words that contain them, and keys that only look close.
	{"shipping", false}, {"spin", false}, {"keyboard", false}, {"monkey", false},
	{"tokenizer_name", false}, {"tokenizerName", false}, {"tokenize", false},
	{"max_tokens", false}, {"input_tokens", false},
	{"secretary", false}, {"secretariat", false}, {"passage", false}, {"passing_score", false},
	{"author", false}, {"authority", false}, {"auth_method", false}, {"cook", false}, {"cookbook", false},
	{"key", false}, {"keys", false}, {"primary_key", false}, {"api_version", false},
	{"card_type", false}, {"credit_limit", false}, {"cardinality", false},
	{"sort_key", false}, {"cache_key", false}, {"sortKey", false}, {"CACHE-KEY", false},
	{"pinned", false}, {"opinion", false}, {"mapping", false}, {"spinner", false}, {"hotpot", false},
	{"pwdx", false}, {"cvcs_supported", false}, {"master", false}, {"master_branch", false},
	{"signing_algorithm", false}, {"encryption", false}, {"encryption_algorithm", false}, {"key_id", false},
	{"account_id", false}, {"account_name", false}, {"number", false}, {"phone_number", false},
	{"security_level", false}, {"social_handle", false}, {"ibans_checked_at", true}, {"jwt_issuer", true},
	{"session_id", false}, {"user_id", false}, {"description", false}, {"ssn_verified_at2", true},
	{"", false},
}

func TestMaskKeysEverywhereStored(t *testing.T) {
	require.GreaterOrEqual(t, len(maskCases), 40)
	md := make(map[string]any)
	for i, c := range maskCases {
		md[c.key] = fmt.Sprintf("value-%03d", i)
	}
	s := logAndRead(t, logger.MaskOptions{}, logger.Event{Operation: logger.OpStore, Metadata: md})
	for i, c := range maskCases {
		secret := fmt.Sprintf("value-%03d", i)
		want := secret
		if c.masked {
			want = logger.Redacted
			require.NotContains(t, s.raw, secret, "key %q leaked", c.key)
		}
		require.Equal(t, want, s.memory[0].Metadata[c.key], "memory, key %q", c.key)
		require.Equal(t, want, s.journal[0].Metadata[c.key], "journal, key %q", c.key)
		require.Equal(t, want, s.mirror[0]["metadata"].(map[string]any)[c.key], "mirror, key %q", c.key)
	}
}

type dbConfig struct {
	Host     string `json:"host"`
	Password string `json:"db_password"`
	Port     int    `json:"port"`
}

// nestedEvent has secrets at every depth and in every free-form field;
// every secret's text starts with "hush".
func nestedEvent() logger.Event {
	return logger.Event{
		Operation: logger.OpUpdate,
		Metadata: map[string]any{
			"headers":     http.Header{"Authorization": {"Bearer hush-1"}, "Accept": {"*/*"}},
			"users":       []any{map[string]any{"name": "ann", "password": "hush-2"}, "plain"},
			"config":      dbConfig{Host: "db", Password: "hush-3", Port: 5432},
			"pointer":     &dbConfig{Host: "db2", Password: "hush-4"},
			"env":         map[string]string{"GITHUB_TOKEN": "hush-5", "HOME": "/root"},
			"deep":        map[string]any{"a": map[string]any{"b": map[string]any{"apiKey": "hush-6", "n": 1}}},
			"credentials": map[string]any{"user": "hush-7", "pass": "hush-8"},
			"count":       3,
		},
		PreviousState: map[string]any{"password": "hush-9", "email": "a@example.com"},
		NewState:      map[string]any{"password": "hush-10", "email": "b@example.com"},
		Changes: []logger.Change{
			{Field: "password", Old: "hush-9", New: "hush-10"},
			{Field: "profile.api_key", Old: nil, New: "hush-11"},
			{Field: "email", Old: "a@example.com", New: "b@example.com"},
		},
		Request: &logger.Request{Method: "POST", Path: "/login?user=bob&token=hush-12&pass%77ord=hush-13&page=2;password=hush-15;lang=en#top&access_token=hush-14;pin=hush-16", StatusCode: 200},
	}
}

func TestMaskNestedStructures(t *testing.T) {
	s := logAndRead(t, logger.MaskOptions{}, nestedEvent())
	require.NotContains(t, s.raw, "hush", "a secret reached the journal or the mirror")
	r := logger.Redacted
	wantMD := map[string]any{
		"headers":     map[string]any{"Authorization": r, "Accept": []any{"*/*"}},
		"users":       []any{map[string]any{"name": "ann", "password": r}, "plain"},
		"config":      map[string]any{"host": "db", "db_password": r, "port": float64(5432)},
		"pointer":     map[string]any{"host": "db2", "db_password": r, "port": float64(0)},
		"env":         map[string]any{"GITHUB_TOKEN": r, "HOME": "/root"},
		"deep":        map[string]any{"a": map[string]any{"b": map[string]any{"apiKey": r, "n": float64(1)}}},
		"credentials": r,
		"count":       float64(3),
	}
	wantChanges := []logger.Change{
		{Field: "password", Old: r, New: r},
		{Field: "profile.api_key", Old: nil, New: r},
		{Field: "email", Old: "a@example.com", New: "b@example.com"},
	}
	for name, ev := range map[string]logger.Event{"memory": s.memory[0], "journal": s.journal[0]} {
		require.Equal(t, wantMD, ev.Metadata, name)
		require.Equal(t, map[string]any{"password": r, "email": "a@example.com"}, ev.PreviousState, name)
		require.Equal(t, map[string]any{"password": r, "email": "b@example.com"}, ev.NewState, name)
		require.Equal(t, wantChanges, ev.Changes, name)
		require.Equal(t, "/login?user=bob&token="+r+"&pass%77ord="+r+"&page=2;password="+r+";lang=en#top&access_token="+r+";pin="+r, ev.Request.Path, name)
	}
	m := s.mirror[0]
	require.Equal(t, wantMD, m["metadata"])
	require.Equal(t, map[string]any{"password": r, "email": "a@example.com"}, m["previous_state"])
	require.Equal(t, map[string]any{"password": r, "email": "b@example.com"}, m["new_state"])
	require.Equal(t, []any{
		map[string]any{"field": "password", "old": r, "new": r},
		map[string]any{"field": "profile.api_key", "old": nil, "new": r},
		map[string]any{"field": "email", "old": "a@example.com", "new": "b@example.com"},
	}, m["changes"])
	require.Equal(t, "/login?user=bob&token="+r+"&pass%77ord="+r+"&page=2;password="+r+";lang=en#top&access_token="+r+";pin="+r, m["request"].(map[string]any)["path"])
}

func TestMaskHMAC(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	s := logAndRead(t, logger.MaskOptions{HMACKey: key},
		logger.Event{Operation: logger.OpStore, Metadata: map[string]any{"token": "abc", "name": "n"}},
		logger.Event{Operation: logger.OpStore, Metadata: map[string]any{"api_key": "abc"}},
		logger.Event{Operation: logger.OpStore, Metadata: map[string]any{"token": "abd"}},
		logger.Event{Operation: logger.OpStore, Metadata: map[string]any{
			"password": 1234, "credentials": map[string]any{"u": "x"}, "secret": nil,
		}},
		logger.Event{
			Operation: logger.OpUpdate,
			Changes:   []logger.Change{{Field: "password", Old: "abc", New: "abd"}},
			Request:   &logger.Request{Path: "/x?access_token=abc%20d"},
		},
	)
	abc := logger.HashSecret(key, "abc")
	require.True(t, strings.HasPrefix(abc, "hmac-sha256:"), abc)
	require.Len(t, abc, len("hmac-sha256:")+64)
	for _, evs := range [][]logger.Event{s.memory, s.journal} {
		require.Equal(t, abc, evs[0].Metadata["token"], "the same secret masks the same")
		require.Equal(t, "n", evs[0].Metadata["name"])
		require.Equal(t, abc, evs[1].Metadata["api_key"], "whatever key it is under")
		require.Equal(t, logger.HashSecret(key, "abd"), evs[2].Metadata["token"])
		require.NotEqual(t, abc, evs[2].Metadata["token"])
		md := evs[3].Metadata
		require.Equal(t, logger.HashSecret(key, "1234"), md["password"], "a number is hashed as its JSON")
		require.Equal(t, logger.HashSecret(key, `{"u":"x"}`), md["credentials"])
		require.Nil(t, md["secret"])
		require.Contains(t, md, "secret")
		require.Equal(t, []logger.Change{{Field: "password", Old: abc, New: logger.HashSecret(key, "abd")}}, evs[4].Changes)
		require.Equal(t, "/x?access_token="+logger.HashSecret(key, "abc d"), evs[4].Request.Path)
	}
	require.Equal(t, abc, s.mirror[0]["metadata"].(map[string]any)["token"])
	require.NotEqual(t, abc, logger.HashSecret([]byte("another key of 16+ bytes"), "abc"), "another key, another mask")
}

func TestMaskConfigured(t *testing.T) {
	md := map[string]any{
		"badge": "1", "user_badge": "2", "badger": "3", "shipping": "4",
		"Set-Cookie": "5", "cookie": "6", "cookies": "6b",
		"token_count": "7", "tokenCount": "8", "token": "9",
		"api_key": "10", "apiKey": "11", "api_keys": "12", "apikey": "13", "ssh_apikeys": "14",
	}
	s := logAndRead(t, logger.MaskOptions{
		Keys:   []string{"badge"},
		Remove: []string{"Cookie", "apiKey"},
		Allow:  []string{"token_count"},
	}, logger.Event{Operation: logger.OpStore, Metadata: md})
	r := logger.Redacted
	require.Equal(t, map[string]any{
		"badge": r, "user_badge": r, "badger": "3", "shipping": "4",
		"Set-Cookie": "5", "cookie": "6", "cookies": "6b",
		"token_count": "7", "tokenCount": "8", "token": r,
		"api_key": "10", "apiKey": "11", "api_keys": "12", "apikey": "13", "ssh_apikeys": "14",
	}, s.memory[0].Metadata, "a removed key's plural and run-together forms go with it")

	s = logAndRead(t, logger.MaskOptions{Keys: []string{"*code", "intern*", "*fid*"}},
		logger.Event{Operation: logger.OpStore, Metadata: map[string]any{
			"zipcode": "1", "code": "2", "codec": "3", "internal_note": "4", "international": "5",
			"confidential": "6", "fido": "7", "fi": "8",
		}})
	require.Equal(t, map[string]any{
		"zipcode": r, "code": r, "codec": "3", "internal_note": r, "international": r,
		"confidential": r, "fido": r, "fi": "8",
	}, s.memory[0].Metadata)
}

func TestMaskInsecureDisable(t *testing.T) {
	ev := nestedEvent()
	s := logAndRead(t, logger.MaskOptions{InsecureDisable: true}, ev)
	for i := 1; i <= 14; i++ {
		require.Contains(t, s.raw, fmt.Sprintf("hush-%d", i))
	}
	require.Equal(t, "Bearer hush-1", s.memory[0].Metadata["headers"].(map[string]any)["Authorization"].([]any)[0])
	require.Equal(t, ev.Request.Path, s.memory[0].Request.Path)
}

func TestMaskOptionsRejected(t *testing.T) {
	for name, mo := range map[string]logger.MaskOptions{
		"short HMAC key":        {HMACKey: []byte("too short")},
		"empty HMAC key":        {HMACKey: []byte{}},
		"remove an unknown key": {Remove: []string{"pasword"}},
		"remove nothing":        {Remove: []string{"--"}},
		"star inside a key":     {Keys: []string{"api*key"}},
		"key without words":     {Keys: []string{"*"}},
		"empty key":             {Keys: []string{""}},
		"allow without words":   {Allow: []string{"_"}},
		"off and configured":    {InsecureDisable: true, HMACKey: []byte("0123456789abcdef")},
		"off with keys":         {InsecureDisable: true, Keys: []string{"pin"}},
	} {
		t.Run(name, func(t *testing.T) {
			l, err := logger.New(logger.Options{Mask: mo})
			require.ErrorIs(t, err, logger.ErrInvalidOptions)
			require.Nil(t, l)
		})
	}
}

// TestMaskKeepsFailureIsolation checks that values that cannot be encoded
// are still replaced and noted with masking on, in both modes, and that a
// secret among them stays masked.
func TestMaskKeepsFailureIsolation(t *testing.T) {
	cyclic := map[string]any{}
	cyclic["self"] = cyclic
	for _, mo := range []logger.MaskOptions{{}, {HMACKey: []byte("0123456789abcdef")}} {
		s := logAndRead(t, mo, logger.Event{Operation: logger.OpStore, Metadata: map[string]any{
			"nan": math.NaN(), "inf": math.Inf(1), "ch": make(chan int), "fn": func() {},
			"cycle": cyclic, "password": "hush", "secret": map[string]any{"f": math.NaN()},
		}})
		for _, ev := range []logger.Event{s.memory[0], s.journal[0]} {
			md := ev.Metadata
			require.NotContains(t, s.raw, "hush")
			for _, k := range []string{"nan", "inf", "ch", "fn"} {
				require.Contains(t, md[k], "!BADVALUE", k)
			}
			require.Contains(t, md["auditlog_encode_errors"], "nan")
			if mo.HMACKey == nil {
				require.Equal(t, logger.Redacted, md["password"])
				require.Equal(t, logger.Redacted, md["secret"])
			} else {
				require.Equal(t, logger.HashSecret(mo.HMACKey, "hush"), md["password"])
				require.True(t, strings.HasPrefix(md["secret"].(string), "hmac-sha256:"))
			}
		}
	}
}

func TestDefaultSensitiveKeysIsACopy(t *testing.T) {
	keys := logger.DefaultSensitiveKeys()
	require.Contains(t, keys, "api_key")
	keys[0] = "changed"
	require.NotEqual(t, "changed", logger.DefaultSensitiveKeys()[0])
}
