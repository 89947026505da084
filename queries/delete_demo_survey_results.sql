delete from survey_results where is_demo
