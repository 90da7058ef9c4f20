//! Java: jar/war/ear archives including nested jars (pom.properties, MANIFEST.MF).
