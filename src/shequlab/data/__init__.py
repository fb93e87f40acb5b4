"""The Xinhua Road sample data: schemas, generator, loader, validator."""
