select module, module_name, mandatory, themes,
from modules
order by module
