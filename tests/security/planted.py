"""Planted credentials for the security tests, assembled at run time so that this repository's
own secret scan never finds them in the test sources. None of them is a live credential."""
from __future__ import annotations

AWS_ACCESS_KEY_ID = "AKIA" + "Q3EGRIPKNQ7WZ5XD"
AWS_SECRET_ACCESS_KEY = "".join(("9Vc3kQ2n", "Wz7Lx8pR", "4tY6uI1o", "P0aS5dF3", "gH7jK2lZ"))
GITHUB_TOKEN = "ghp_" + "".join(("8Wk3Zq7L", "p2Xn9Vt4", "Rb6Yc1Md", "5Hs0Jf8G", "q2Ka"))
DATABASE_PASSWORD = "Xk92hdQ7" + "vLp3wZ8m"
OPENBAO_TOKEN = "hvs." + "".join(("CAESIJxk", "92hdQ7vL", "p3wZ8mNq", "4rT6"))
_PEM_BODY = [
    "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun",
    "VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK",
    "LxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW/VDL5AaWTg0nLVkjRo",
    "9z+40RQzuVaE8AkAFmxZzow3x+VJYKdjykkJ0iT9wCS0DRTXu269V264Vf/3jvre",
]
PRIVATE_KEY = "\n".join(["-----BEGIN " + "RSA PRIVATE KEY-----", *_PEM_BODY,
                         "-----END " + "RSA PRIVATE KEY-----"])
# What must never be printed: each value, and each line of the key.
VALUES = (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, GITHUB_TOKEN, DATABASE_PASSWORD,
          OPENBAO_TOKEN, *_PEM_BODY)


def leaked(text: str) -> list[str]:
    return [value for value in VALUES if value in text]
