/** Real Redis and PostgreSQL servers started by tests on loopback ports. */
package dev.strata.server.testservices;
