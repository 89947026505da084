select question_code, question_label, module, engagement,
from questions
order by module, engagement nulls last, question_code
