//! Python: *.dist-info/METADATA and *.egg-info/PKG-INFO.
