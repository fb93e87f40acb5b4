"""Where things are: the project's folders and files (project) and the nbgrader course (course)."""
