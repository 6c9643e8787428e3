"""The course editor's HTML views: "My courses", the course workspace, the page editor and
the learner preview. Thin: parse with a form, call one service or selector, render."""
