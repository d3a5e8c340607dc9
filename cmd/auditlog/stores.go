package main

// The stores auditlog opens by URL: importing a store's package registers
// its scheme with store.Open.
import (
	_ "github.com/auditlog/auditlog/store/file"     // file://DIR
	_ "github.com/auditlog/auditlog/store/postgres" // postgres://USER@HOST/DB, postgresql://...
	_ "github.com/auditlog/auditlog/store/sqlite"   // sqlite://FILE
)
