"""Small jinja2 snippets, each rendered by Python jinja2 in Hugging Face's environment; writes
snippets.json ({template, variables, expected | error}). Run: python3 generate.py (from this folder)."""
import json
from datetime import datetime
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.ext import loopcontrols

class TemplateError(Exception):
    pass

def raise_exception(message):
    raise TemplateError(message)

def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
env.filters['tojson'] = tojson
env.globals['raise_exception'] = raise_exception
env.globals['strftime_now'] = lambda fmt: datetime(2024, 7, 26).strftime(fmt)

V = {"s": "  Hello, World  ", "n": None, "l": [3, 1, 2], "d": {"b": 1, "a": [1, 2], "c": {"x": "y"}},
     "msgs": [{"role": "system", "content": "S"}, {"role": "user", "content": "U1"},
              {"role": "assistant", "content": "A1"}, {"role": "user", "content": "U2"}],
     "u": "héllo wörld 👋", "t": True, "f": 1.5, "i": 7, "e": ""}

SNIPPETS = [
    "{{ s.strip() }}|{{ s.lstrip() }}|{{ s.rstrip() }}|{{ s.strip(' H') }}",
    "{{ s.split() }}|{{ s.split(',') }}|{{ 'a,b,,c'.split(',', 1) }}|{{ 'a b c'.rsplit(' ', 1) }}",
    "{{ s.startswith('  He') }}|{{ s.endswith(('x', '  ')) }}|{{ s.upper() }}|{{ s.lower() }}|{{ 'hello world'.title() }}",
    "{{ s.replace('l', 'L') }}|{{ s.replace('l', 'L', 1) }}|{{ 'x'.join(['a', 'b']) }}|{{ '{}-{}'.format(1, 'a') }}|{{ '{0}{1}{0}'.format('a', 'b') }}",
    "{{ s.find('o') }}|{{ s.count('l') }}|{{ '42'.isdigit() }}|{{ 'ab'.isalpha() }}|{{ 'Abc'.capitalize() }}",
    "{{ l[::-1] }}|{{ l[1:] }}|{{ l[:-1] }}|{{ l[-1] }}|{{ u[::-1] }}|{{ msgs[::-1][0].role }}",
    "{% for m in msgs %}{{ loop.index }}{{ loop.index0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.revindex }};{% endfor %}",
    "{% for m in msgs %}{% if not loop.first %}{{ loop.previtem.role }}{% endif %}>{% if not loop.last %}{{ loop.nextitem.role }}{% endif %};{% endfor %}",
    "{% for m in msgs if m.role != 'system' %}{{ m.content }}{{ loop.index }}{% if loop.last %}!{% endif %}{% endfor %}",
    "{% for m in msgs %}{% if m.role == 'assistant' %}{% continue %}{% endif %}{% if loop.index > 3 %}{% break %}{% endif %}{{ m.content }}{% endfor %}",
    "{% for x in [] %}x{% else %}empty{% endfor %}|{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}|{% for k in d %}{{ k }}{% endfor %}",
    "{% set ns = namespace(found=false, n=0) %}{% for m in msgs %}{% set ns.n = ns.n + 1 %}{% if m.role == 'user' %}{% set ns.found = true %}{% endif %}{% endfor %}{{ ns.found }}{{ ns.n }}",
    "{% set x = 1 %}{% for m in msgs %}{% set x = x + 1 %}{% endfor %}{{ x }}",
    "{{ n is none }}|{{ n is defined }}|{{ missing is defined }}|{{ missing is undefined }}|{{ d.zz is defined }}|{{ d['a'] is defined }}",
    "{{ s is string }}|{{ l is string }}|{{ d is mapping }}|{{ l is iterable }}|{{ i is number }}|{{ i is integer }}|{{ f is float }}|{{ t is boolean }}|{{ t is true }}|{{ n is false }}",
    "{{ not n is none }}|{{ not missing is defined }}|{{ not i == 7 }}|{{ 'a' not in 'cat' }}|{{ 2 in l }}|{{ 'b' in d }}|{{ not l }}",
    "{{ d|tojson }}|{{ d|tojson(indent=2) }}|{{ d|tojson(sort_keys=true) }}|{{ u|tojson }}|{{ 'a\"b\\\\c\\n'|tojson }}|{{ [1.5, none, true]|tojson }}",
    "{{ d|tojson(separators=(',', ':')) }}|{{ {'k': [1, {'z': 2}]}|tojson(indent=4) }}|{{ {}|tojson }}|{{ []|tojson(indent=2) }}",
    "{{ msgs|selectattr('role', 'equalto', 'user')|map(attribute='content')|join(', ') }}|{{ msgs|rejectattr('role', 'in', ['user', 'system'])|list|length }}",
    "{{ msgs|map(attribute='role')|list }}|{{ l|sort }}|{{ l|sort(reverse=true) }}|{{ l|first }}|{{ l|last }}|{{ l|length }}|{{ l|sum }}|{{ l|max }}|{{ l|min }}",
    "{{ d|dictsort }}|{{ d|items|list }}|{{ d.keys()|list }}|{{ d.get('b') }}|{{ d.get('zz', 'dflt') }}|{{ d.get('zz') }}",
    "{{ missing|default('dflt') }}|{{ n|default('dflt') }}|{{ e|default('dflt', true) }}|{{ e|default('dflt') }}",
    "{{ s|trim }}|{{ s|upper }}|{{ s|lower }}|{{ 'hello world-foo'|title }}|{{ s|replace(' ', '_') }}|{{ 'abc'|capitalize }}|{{ 'a\\nb\\n\\nc'|indent(2) }}|{{ 'a\\nb'|indent(2, true) }}",
    "{{ l|join(',') }}|{{ l|list }}|{{ 'ab'|list }}|{{ l|unique|list }}|{{ i|string + '!' }}|{{ f|int }}|{{ '3.5'|float }}|{{ -3|abs }}|{{ 2.567|round(1) }}",
    "{{ n }}|{{ t }}|{{ f }}|{{ i }}|{{ l }}|{{ d }}|{{ missing }}|{{ 'no' if false else \"it's\" }}|{{ [s, n] }}",
    "{{ 1 + 2 }}|{{ 1.5 + 1 }}|{{ 'a' + 'b' }}|{{ [1] + [2] }}|{{ 7 / 2 }}|{{ 7 // 2 }}|{{ 7 % 3 }}|{{ 2 ** 10 }}|{{ 'ab' * 2 }}|{{ 'a' ~ 1 ~ n }}|{{ -i }}",
    "{{ 'x' if t else 'y' }}|{{ 'x' if n }}|{{ t and 'yes' or 'no' }}|{{ n or 'fallback' }}|{{ i > 5 and i < 10 }}|{{ 1 < 2 and 2 < 3 }}",
    "{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('A') }}|{{ greet('B', '?') }}|{{ greet(name='C', punct='.') }}",
    "{% set greeting %}Hello {{ msgs[0].content }}{% endset %}{{ greeting }}|{% filter upper %}shout {{ i }}{% endfilter %}",
    "{{ strftime_now('%Y-%m-%d') }}|{{ strftime_now('%d %B %Y') }}|{{ strftime_now('%A %-d %b') }}",
    "{{ raise_exception('Bad role: ' + msgs[1].role) }}",
    "{{ 'a' + n }}",
    "{{ 'a' + missing }}",
    "{{ missing.attr }}",
    "{{ l.nope() }}",
    "{{ 'a' in n }}",
    "{{ n.content }}|{{ n['x'] is defined }}",
    "{{ d.a + 1 }}",
    "{{ u|length }}|{{ u[0] }}|{{ u.upper() }}|{{ u|tojson }}|{{ u.split(' ')[1] }}",
    "{{ '%s=%d' % ('k', 3) }}|{{ '%05.1f' % 3.14159 }}|{{ '100%% %s' % 'sure' }}",
    "  {% if t %}\n    lstrip\n  {% endif %}\n{{ 'after' }}\n",
    "a {%- if t %} b {% endif -%} c\n{%+ if t %}plus{% endif +%}\nx{# comment #}\n  {# indented comment #}\ny",
    "{%- for m in msgs -%}\n  {{- m.role -}}\n  {%- if not loop.last %},{% endif -%}\n{%- endfor %}\ntrailing\n",
    "{% raw %}{{ not rendered }}{% endraw %}|{{ '{{ x }}' }}",
    "{{ (msgs|selectattr('role', 'equalto', 'nobody')) is defined }}|{% if msgs|selectattr('role', 'equalto', 'nobody') %}truthy{% endif %}",
    "{% set d2 = {'k': 1, 2: 'two'} %}{{ d2[2] }}|{{ d2.k }}|{{ d2|tojson }}|{{ [1, 'a', none, true] }}",
    "{{ range(3)|list }}|{{ range(1, 7, 2)|list }}|{% for x in range(2) %}{{ x }}{% endfor %}",
    "{{ msgs[0]['role'] }}|{{ msgs[0].role }}|{{ msgs[-1].content }}|{{ msgs|length }}|{{ (msgs|last).role }}",
    "{{ '1' == 1 }}|{{ [1, {'a': 2}] == [1.0, {'a': 2}] }}|{% if 'false' %}T{% endif %}|{{ not 'false' }}|{{ n == none }}|{{ 1 != 1.0 }}",
    "{% set ns = namespace(items=[]) %}{% for m in msgs %}{% set ns.items = ns.items + [m.role[:1]] %}{% endfor %}{{ ns.items }}|{{ d.items()|list }}",
    "{% for x in l %}{{ loop.cycle('a', 'b') }}{{ loop.revindex0 }}{% endfor %}|{{ '%-5s|%3d' % ('ab', 7) }}|{{ msgs|map(attribute='role')|map('upper')|join('/') }}",
    "{% macro render(m) %}{{ m.role }}:{{ m.content }}{% endmacro %}{% for m in msgs %}{{ render(m) }}{{ ', ' if not loop.last }}{% endfor %}",
    "{% macro v(content) %}{{ content }}/{{ content is none }}{% endmacro %}{% set content = 'outer' %}{{ v(none) }}|{% for x in [1] %}{% set content = none %}{{ content }}{% endfor %}|{{ content }}|{% for y in [none, 1] %}{{ y }}{% endfor %}",
    "{% set a, b = 1, 'two' %}{{ a }}{{ b }}|{% for a, b in [[1, 2], [3, 4]] %}{{ a + b }}{% endfor %}|{% for m in msgs %}{% set outer = loop %}{% for c in 'ab' %}{{ outer.index }}{{ c }}{% endfor %}{% endfor %}",
    "{{ 'a\tb' | replace('\t', ' ') }}|{{ i | string | length }}|{{ [3, 1, 2] | sort | first }}|{{ [1, 1, 2] | unique | list }}|{{ '%.2f' | format(3.14159) }}|{{ d | dictsort(reverse=true) | first }}",
    "{{ 6 is divisibleby 3 }}|{{ 4 is even }}|{{ 3 is odd }}|{{ 'ab' is lower }}|{{ 'AB' is upper }}|{{ 2 is in [1, 2] }}|{{ t is sameas true }}|{{ 3 is gt 2 }}|{{ s is not string }}",
    "{{ none | string }}|{{ 'Hello'[1] }}|{{ s[:4] }}|{{ {'a': 1}.a }}{{ {'a': 1}['a'] }}|{{ 3.7 | int }}|{{ 2.5 | round }}|{{ -1 | abs }}|{{ l | join }}",
    "{% for x in range(4) %}{% if x == 1 %}{% continue %}{% endif %}{% if x == 3 %}{% break %}{% endif %}{{ x }}{% endfor %}|{{ 'x' in ['x', 'y'] and 'z' not in 'xy' }}|{{ msgs | length > 3 }}",
    "{%- if t -%}\n  x\n{%- endif -%}\n  {%- for m in msgs %}\n  [{{ loop.index }}]\n  {%- endfor %}\n\n{{ 'end' }}",
    "{{ msgs[1:] | map(attribute='content') | join(' ') }}|{{ msgs | selectattr('role', 'ne', 'user') | map(attribute='role') | list }}|{{ msgs | rejectattr('content', 'equalto', 'S') | list | length }}",
    "{% set ns = namespace(out='') %}{% for m in msgs | reverse %}{% set ns.out = ns.out ~ m.role[0] %}{% endfor %}{{ ns.out }}|{{ (msgs | reverse | list)[0].content }}|{{ msgs | map(attribute='missing', default='-') | join }}",
    "{{ l|length is even }}|{{ msgs|selectattr('role', 'equalto', 'user')|list is defined }}|{{ not l|length is odd }}|{% if l|length is divisibleby 3 and l is defined %}Y{% endif %}",
    "{% if msgs[0].role == 'system' %}{% set sys = msgs[0].content %}{% set rest = msgs[1:] %}{% else %}{% set sys = '' %}{% set rest = msgs %}{% endif %}{{ sys }}:{{ rest|length }}",
]

cases = []
for src in SNIPPETS:
    case = {"template": src}
    try:
        case["expected"] = env.from_string(src).render(**V)
    except Exception as e:
        case["error"] = type(e).__name__ + ": " + str(e)
    cases.append(case)
json.dump({"renderer": "Python jinja2 3.1.6 (Hugging Face environment, see PROVENANCE.md)", "variables": V, "cases": cases},
          open("snippets.json", "w", encoding="utf-8"), ensure_ascii=False, indent=1)
print(len(cases), "cases")
