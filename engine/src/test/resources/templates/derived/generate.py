"""Renders every templates/*.jinja with Python jinja2 in a Hugging Face transformers-style
environment for conversations that exercise tools, tool calls, tool results, multi-part content,
unicode and extra variables; writes templates/derived/<name>.json (cases with expected or error)."""
import json, glob, os, sys
from datetime import datetime
import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.ext import loopcontrols

root = sys.argv[1]
out_dir = os.path.join(root, 'derived')
os.makedirs(out_dir, exist_ok=True)

class TemplateError(Exception):
    pass

def raise_exception(message):
    raise TemplateError(message)

def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

FIXED = datetime(2024, 7, 26)
def strftime_now(fmt):
    return FIXED.strftime(fmt)

def env():
    e = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
    e.filters['tojson'] = tojson
    e.globals['raise_exception'] = raise_exception
    e.globals['strftime_now'] = strftime_now
    return e

WEATHER = {"type": "function", "function": {"name": "get_weather", "description": "Get the current weather in a city",
           "parameters": {"type": "object", "properties": {"city": {"type": "string", "description": "City name, e.g. Paris"},
           "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}}, "required": ["city"]}}}
SEARCH = {"type": "function", "function": {"name": "search", "description": "Search the web",
          "parameters": {"type": "object", "properties": {"query": {"type": "string"}, "limit": {"type": "integer", "default": 5}},
          "required": ["query"]}}}
CALL = {"id": "call12345", "type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}}}

CASES = [
    ("tools_offered", dict(messages=[{"role": "system", "content": "You are a helpful assistant."},
                                     {"role": "user", "content": "What's the weather in Paris?"}],
                           tools=[WEATHER, SEARCH], add_generation_prompt=True)),
    ("tool_call_and_result", dict(messages=[{"role": "user", "content": "What's the weather in Paris?"},
                                            {"role": "assistant", "content": None, "tool_calls": [CALL]},
                                            {"role": "tool", "content": "{\"temperature\": 21, \"sky\": \"clear\"}", "tool_call_id": "call12345", "name": "get_weather"}],
                                  tools=[WEATHER], add_generation_prompt=True)),
    ("tool_call_empty_content", dict(messages=[{"role": "system", "content": "Use tools when needed."},
                                               {"role": "user", "content": "Weather in Paris, then search 'best café'?"},
                                               {"role": "assistant", "content": "", "tool_calls": [CALL, {"id": "call67890", "type": "function", "function": {"name": "search", "arguments": {"query": "best café", "limit": 3}}}]},
                                               {"role": "tool", "content": "21C, clear", "tool_call_id": "call12345", "name": "get_weather"},
                                               {"role": "tool", "content": "Café de Flore", "tool_call_id": "call67890", "name": "search"},
                                               {"role": "assistant", "content": "It is 21C and clear; try Café de Flore."},
                                               {"role": "user", "content": "Thanks!"}],
                                     tools=[WEATHER, SEARCH], add_generation_prompt=True)),
    ("multipart_content", dict(messages=[{"role": "user", "content": [{"type": "text", "text": "Describe this:"}, {"type": "text", "text": "a red apple."}]},
                                         {"role": "assistant", "content": "It is a red apple."},
                                         {"role": "user", "content": [{"type": "text", "text": "And now?"}]}],
                               add_generation_prompt=True)),
    ("unicode_and_quotes", dict(messages=[{"role": "system", "content": "Réponds en français. \"Quote\" and 'single' \\ backslash"},
                                          {"role": "user", "content": "  Héllo 👋 世界\n\ttab  "},
                                          {"role": "assistant", "content": "<think>\nhmm\n</think>\n\nBonjour! 😀"},
                                          {"role": "user", "content": "Encore"}],
                                add_generation_prompt=True)),
    ("no_generation_prompt_multi_turn", dict(messages=[{"role": "user", "content": "1"}, {"role": "assistant", "content": "2"},
                                                       {"role": "user", "content": "3"}, {"role": "assistant", "content": "4"}],
                                             add_generation_prompt=False)),
    ("extra_variables", dict(messages=[{"role": "user", "content": "Think about it."}], add_generation_prompt=True,
                             enable_thinking=False, thinking_budget=512, reasoning_effort="high", builtin_tools=["browser", "python"])),
    ("roles_not_alternating", dict(messages=[{"role": "user", "content": "a"}, {"role": "user", "content": "b"}],
                                   add_generation_prompt=True)),
]

def error_text(e):
    return type(e).__name__ + ": " + str(e)

for path in sorted(glob.glob(os.path.join(root, '*.jinja'))):
    name = os.path.basename(path)
    src = open(path, encoding='utf-8').read()
    tpl = env().from_string(src)
    cases = []
    for case_name, variables in CASES:
        variables = json.loads(json.dumps(variables))
        record = {"name": case_name, "variables": variables, "bos_token": "<s>", "eos_token": "</s>"}
        try:
            record["expected"] = tpl.render(bos_token="<s>", eos_token="</s>", **variables)
        except Exception as e:
            record["error"] = error_text(e)
        cases.append(record)
    with open(os.path.join(out_dir, name.replace('.jinja', '.json')), 'w', encoding='utf-8') as f:
        json.dump({"template_file": name,
                   "renderer": "Python jinja2 %s, ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols]), tojson=json.dumps(ensure_ascii=False, indent, separators, sort_keys), raise_exception raises TemplateError, strftime_now formats 2024-07-26 00:00:00; bos_token '<s>', eos_token '</s>'" % jinja2.__version__,
                   "cases": cases}, f, ensure_ascii=False, indent=1)
print("ok")
