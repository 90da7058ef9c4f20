//! RPM packages: rpmdb.sqlite, Berkeley DB Packages and ndb Packages.db, parsed natively.
