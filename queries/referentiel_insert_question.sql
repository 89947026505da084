insert into questions (question_code, question_label, module, engagement)
values ($question_code, $question_label, $module, $engagement)
