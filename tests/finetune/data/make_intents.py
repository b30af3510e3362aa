"""Generate the support-intent task used by the fine-tuning tests and benchmark (deterministic).

    .venv/bin/python tests/finetune/data/make_intents.py   # rewrites intents_{train,test}.jsonl

Six labels, messages built from per-label templates and shared slot fillers. The test file uses
other fillers (products, cities, order numbers) and other openings, so no test text is in train.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

LABELS = ("billing", "shipping", "returns", "account", "technical", "cancel")
SYSTEM = (
    "Classify the customer message into exactly one intent: "
    + ", ".join(LABELS)
    + ". Answer with the intent only."
)
TEMPLATES = {
    "billing": [
        "I was charged twice for my {product} this month.",
        "Why is there an extra fee of ${amount} on my invoice?",
        "Can you send me a copy of the invoice for order {order}?",
        "My card was billed ${amount} but I expected less.",
        "The payment for the {product} failed, how do I pay now?",
        "Please explain the charge of ${amount} on my statement.",
    ],
    "shipping": [
        "Where is my {product}? Order {order} has not arrived.",
        "How long does delivery to {city} take?",
        "The tracking for order {order} has not updated in days.",
        "Can I change the delivery address for my {product}?",
        "Do you ship the {product} to {city}?",
        "My parcel with the {product} is stuck at the depot.",
    ],
    "returns": [
        "I want to send back the {product}, it does not fit.",
        "How do I return order {order} for a refund?",
        "The {product} arrived damaged, can I exchange it?",
        "Is it too late to return a {product} bought last month?",
        "I need a return label for the {product}.",
        "When will I get my refund for the returned {product}?",
    ],
    "account": [
        "I forgot my password and cannot log in.",
        "How do I change the email address on my account?",
        "Please update my phone number, I moved to {city}.",
        "I want to delete my profile and all my data.",
        "My account is locked after too many login attempts.",
        "Can I merge my two accounts into one?",
    ],
    "technical": [
        "The {product} does not turn on after the update.",
        "Your app crashes every time I open the order page.",
        "The {product} keeps disconnecting from wifi.",
        "I get error code {code} when I pair the {product}.",
        "The website shows a blank page at checkout.",
        "The {product} battery drains in an hour, is it faulty?",
    ],
    "cancel": [
        "Please cancel order {order}, I no longer need it.",
        "I want to cancel my subscription before the next renewal.",
        "Stop my order for the {product}, I ordered it by mistake.",
        "How do I cancel my membership?",
        "Cancel the {product} order before it ships, please.",
        "I would like to end my plan at the end of the month.",
    ],
}
FILLERS = {
    "train": {
        "product": ["headphones", "blender", "desk lamp", "phone case", "smart watch", "kettle"],
        "city": ["Lyon", "Boston", "Osaka", "Leeds", "Porto"],
        "order": ["A1043", "B2291", "C3310", "D4478", "E5120"],
        "amount": ["12.99", "40", "7.50", "120", "59.90"],
        "code": ["E12", "0x3F", "401", "E7"],
    },
    "test": {
        "product": ["speaker", "coffee grinder", "tablet", "router"],
        "city": ["Quito", "Nairobi", "Oslo"],
        "order": ["X9001", "Y8123", "Z7345"],
        "amount": ["18.20", "75", "3.99"],
        "code": ["E99", "503"],
    },
}
PREFIXES = {
    "train": ["", "Hi, ", "Hello. ", "Good morning! ", "Quick question: ", "Urgent: "],
    "test": ["Hey team, ", "Dear support, ", "Excuse me, "],  # unseen: no test text is in train
}


def make(split: str, n: int, seed: int) -> list[dict[str, object]]:
    rng = random.Random(seed)
    fill = FILLERS[split]
    rows = []
    for k in range(n):
        label = LABELS[k % len(LABELS)]
        text = rng.choice(TEMPLATES[label]).format(**{s: rng.choice(v) for s, v in fill.items()})
        text = rng.choice(PREFIXES[split]) + text
        rows.append(
            {
                "messages": [
                    {"role": "system", "content": SYSTEM},
                    {"role": "user", "content": text},
                    {"role": "assistant", "content": label},
                ]
            }
        )
    rng.shuffle(rows)
    return rows


def main() -> None:
    here = Path(__file__).parent
    for split, n, seed in (("train", 300, 1), ("test", 60, 2)):
        with (here / f"intents_{split}.jsonl").open("w") as fh:
            for row in make(split, n, seed):
                fh.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
