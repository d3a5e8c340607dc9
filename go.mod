module github.com/auditlog/auditlog

go 1.24

require (
	github.com/google/uuid v1.6.0
	github.com/tidwall/btree v1.8.2
)
