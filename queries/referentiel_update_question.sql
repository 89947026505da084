update questions
set
    question_label = $question_label,
    engagement = $engagement,
where question_code = $question_code
