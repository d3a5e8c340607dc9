package index_test

import "unsafe"

func unsafeData(s string) *byte { return unsafe.StringData(s) }
