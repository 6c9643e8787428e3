"""The course player, included at `learn/` (namespace `player`); see courses/views/player.py."""

from django.urls import path

from courses.views import player

app_name = "player"

COURSE = "<uuid:course_uuid>/"
PAGE = COURSE + "<uuid:page_uuid>/"

urlpatterns = [
    path(COURSE, player.resume, name="resume"),
    path(COURSE + "results/", player.results, name="results"),
    path(PAGE, player.page, name="page"),
    path(PAGE + "answer/", player.answer, name="answer"),
    path(PAGE + "quiz/start/", player.quiz_start, name="quiz-start"),
    path(PAGE + "quiz/submit/", player.quiz_submit, name="quiz-submit"),
    path(PAGE + "exit/", player.exit_course, name="exit"),
]
