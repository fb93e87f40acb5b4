"""The nbgrader adapter and the sandboxed grader: below both `course` (build, check) and
`grading` (the trainer's loop), so each uses nbgrader, and the grader, from here."""
