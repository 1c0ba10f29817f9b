"""The pupils' pages: a school's link (/s/<token>/), no account."""


app_name = "survey_public"

urlpatterns: list = []
