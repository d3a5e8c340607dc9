package auditexpvar_test

import (
	"log"

	"github.com/auditlog/auditlog/logger"
	auditexpvar "github.com/auditlog/auditlog/metrics/expvar"
)

// Publish the logger's figures as "auditlog" in expvar's /debug/vars.
func ExamplePublish() {
	l, err := logger.New(logger.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()
	if err := auditexpvar.Publish("auditlog", l); err != nil {
		log.Fatal(err)
	}
}
