"""Reference renderings of chat templates, made the way transformers' apply_chat_template renders
them (jinja2 ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks, raise_exception), so the
TypeScript side (@huggingface/jinja) is checked against Python Jinja, not against itself.

Run: python3 tools/models/make_chat_template_fixture.py > packages/models/test/fixtures/chat-templates/reference.json
"""
import json

from jinja2.exceptions import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

TEMPLATES = {
    # Llama 2 / Mistral style: bos_token, [INST] markers, eos_token after assistant turns, role check.
    "inst": (
        "{{ bos_token }}{% for message in messages %}"
        "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
        "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
        "{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}"
        "{% elif message['role'] == 'assistant' %}{{ ' ' + message['content'] + eos_token }}{% endif %}{% endfor %}"
    ),
    # ChatML (Qwen) style, as a multi-line template that relies on trim_blocks / lstrip_blocks.
    "chatml": (
        "{%- for message in messages %}\n"
        "    {{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}\n"
        "{%- endfor %}\n"
        "{%- if add_generation_prompt %}\n"
        "    {{- '<|im_start|>assistant\\n' }}\n"
        "{%- endif %}\n"
    ),
    # Llama 3 style: header ids, trim filter, bos on the first message only.
    "llama3": (
        "{% set loop_messages = messages %}{% for message in loop_messages %}"
        "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' %}"
        "{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}"
        "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}"
    ),
}

CONVERSATIONS = [
    [{"role": "user", "content": "Call me Ishmael."}],
    [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello there."}],
    [
        {"role": "user", "content": " padded question "},
        {"role": "assistant", "content": "One."},
        {"role": "user", "content": "And two?"},
        {"role": "assistant", "content": "Two.\nDone."},
    ],
    [{"role": "assistant", "content": "I speak first."}],
]


def raise_exception(message):
    raise TemplateError(message)


def main():
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    env.globals["raise_exception"] = raise_exception
    cases = []
    for name, source in TEMPLATES.items():
        template = env.from_string(source)
        for messages in CONVERSATIONS:
            for add in (False, True):
                try:
                    text = template.render(messages=messages, add_generation_prompt=add, bos_token="<s>", eos_token="</s>")
                    cases.append({"template": name, "messages": messages, "add_generation_prompt": add, "text": text})
                except TemplateError as error:
                    cases.append({"template": name, "messages": messages, "add_generation_prompt": add, "error": str(error)})
    print(json.dumps({"made_by": "jinja2 " + __import__("jinja2").__version__, "templates": TEMPLATES, "cases": cases}, indent=1))


if __name__ == "__main__":
    main()
