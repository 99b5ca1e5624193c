"""The load bench's simulated people (bench/load.py runs locust on this file, headless).

The plan (what the users need to know: the demo enterprises' hosts, logins, API tokens, the draft
assessment each one answers, the hall's exhibitions and booths, the single-choice questions and their
options) is a JSON file named by LOAD_PLAN, written by bench/load.py's `prepare` before the run.

Every request goes to 127.0.0.1 (locust's --host) with the site chosen by the Host header: the public
site (localhost) or an enterprise's workspace (<slug>.localhost). Requests are named by route, not by
URL, so the figures group per view.

Three kinds of people, in the proportions of the weights (49 of 50 users at 50), and one more:
  PublicVisitor   anonymous: home page, about, the hall (list, an exhibition's booths, keyword search,
                  a booth's page), the registration form, the public API's reference data
  Member          signs in once through the sign-in form on its enterprise's host (PBKDF2, as a person
                  does), then: workspace home, the assessment list, a step of the wizard, answer saves
                  (the wizard's htmx POST), notices
  ApiClient       an integration holding a bearer token: tenant API reads (workspace, assessments, an
                  assessment with its answers, frameworks) and answer saves (PUT)
  Registrant      exactly one user: registers a new enterprise (unique credit code) every 10 to 20 s
  Bare            the baseline's visitor, only against bench/bare_django.py

Think time: each user waits 1 to 3 s (uniform, mean 2 s) after each request, as a person clicking
through pages briskly (the wizard autosaves an answer per click). At 50 users that offers at most
about 50 / (2 s + response time) requests per second: about 24 req/s when responses are fast; slower
responses lower it (a closed model, as people wait for the page before clicking on).
"""

from __future__ import annotations

import json
import os
import random
import re
import uuid

from locust import HttpUser, between, events, task
from stdnum.cn import uscc

PLAN = json.loads(open(os.environ["LOAD_PLAN"], encoding="utf-8").read())  # noqa: SIM115
# Think time after each request, in seconds: LOAD_THINK="1,3" (the default, a person clicking on
# briskly). A shorter one offers more requests a second from the same 50 people.
THINK = between(*(float(x) for x in os.environ.get("LOAD_THINK", "1,3").split(",")))
SEARCHES = ["机器人", "轴承", "泵", "robot", "sensor", "汽车", "智能", "motor", "新能源", "graphene"]
ORG_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # the characters a credit code may use
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SAMPLES: list[tuple[float, float, str]] = []  # (started, response time in ms, view), for LOAD_SAMPLES


@events.request.add_listener
def _sample(request_type, name, response_time, start_time=None, **kwargs):
    SAMPLES.append((start_time or 0.0, response_time, name))


@events.quitting.add_listener
def _write_samples(environment, **kwargs):
    """Every request's start and time, so that bench/load.py can tell the start of the run (workers
    and caches still cold, every member signing in) from the steady state after it."""
    if os.environ.get("LOAD_SAMPLES"):
        with open(os.environ["LOAD_SAMPLES"], "w", encoding="utf-8") as out:
            json.dump(SAMPLES, out)


class PublicVisitor(HttpUser):
    weight = 4
    wait_time = THINK

    def on_start(self):
        self.client.headers["Host"] = PLAN["public_host"]

    @task(3)
    def home(self):
        self.client.get("/", name="public: home")

    @task(1)
    def about(self):
        self.client.get("/about/", name="public: about")

    @task(2)
    def hall(self):
        self.client.get("/hall/", name="hall: list")

    @task(2)
    def exhibition(self):
        self.client.get(f"/hall/{random.choice(PLAN['exhibitions'])}/", name="hall: exhibition")

    @task(3)
    def search(self):
        exhibition = random.choice(PLAN["exhibitions"])
        self.client.get(f"/hall/{exhibition}/", params={"q": random.choice(SEARCHES)}, name="hall: search")

    @task(2)
    def booth(self):
        self.client.get(f"/hall/booths/{random.choice(PLAN['booths'])}/", name="hall: booth")

    @task(1)
    def register_form(self):
        self.client.get("/register/", name="public: register form")

    @task(1)
    def reference(self):
        self.client.get("/api/v1/reference/cities/", name="api: cities")


class Member(HttpUser):
    weight = 3
    wait_time = THINK

    def on_start(self):
        self.tenant = random.choice(PLAN["tenants"])
        self.client.headers["Host"] = self.tenant["host"]
        page = self.client.get("/login/", name="member: sign-in form")
        token = CSRF_INPUT.search(page.text).group(1)
        with self.client.post(
            "/login/",
            data={
                "csrfmiddlewaretoken": token,
                "username": self.tenant["email"],
                "password": PLAN["password"],
            },
            allow_redirects=False,
            name="member: sign in",
            catch_response=True,
        ) as response:
            if response.status_code != 302 or "sessionid" not in self.client.cookies:
                response.failure(f"sign-in answered {response.status_code}")

    def _csrf(self) -> dict:
        return {"X-CSRFToken": self.client.cookies.get("csrftoken", ""), "HX-Request": "true"}

    @task(2)
    def workspace(self):
        self.client.get("/", name="member: workspace home")

    @task(2)
    def assessments(self):
        self.client.get("/assessments/", name="member: assessment list")

    @task(3)
    def step(self):
        self.client.get(
            f"/assessments/{self.tenant['assessment']}/step/{random.randint(1, PLAN['steps'])}/",
            name="member: assessment step",
        )

    @task(4)
    def answer(self):
        question = random.choice(PLAN["questions"])
        self.client.post(
            f"/assessments/{self.tenant['assessment']}/answer/{question['key']}/",
            data={"option": random.choice(question["options"])},
            headers=self._csrf(),
            name="member: answer save",
        )

    @task(1)
    def notices(self):
        self.client.get("/notices/", name="member: notices")


class ApiClient(HttpUser):
    weight = 2
    wait_time = THINK

    def on_start(self):
        self.tenant = random.choice(PLAN["tenants"])
        self.client.headers.update(
            {"Host": self.tenant["host"], "Authorization": f"Bearer {self.tenant['token']}"}
        )

    @task(2)
    def workspace(self):
        self.client.get("/api/v1/workspace/", name="api: workspace")

    @task(3)
    def assessments(self):
        self.client.get("/api/v1/assessments/", name="api: assessments")

    @task(3)
    def assessment(self):
        self.client.get(f"/api/v1/assessments/{self.tenant['assessment']}/", name="api: assessment")

    @task(1)
    def frameworks(self):
        self.client.get("/api/v1/frameworks/", name="api: frameworks")

    @task(3)
    def answer(self):
        question = random.choice(PLAN["questions"])
        self.client.put(
            f"/api/v1/assessments/{self.tenant['assessment']}/answers/{question['key']}/",
            json={"option": random.choice(question["options"])},
            name="api: answer save",
        )


class Registrant(HttpUser):
    fixed_count = 1
    wait_time = between(10, 20)

    def on_start(self):
        self.client.headers["Host"] = PLAN["public_host"]

    @task
    def register(self):
        body = "91110000" + "".join(random.choice(ORG_CHARS) for _ in range(9))
        tag = uuid.uuid4().hex[:10]
        with self.client.post(
            "/api/v1/registrations/",
            json={
                "name": f"负载测试企业{tag}",
                "name_en": f"load-{tag}",
                "credit_code": body + uscc.calc_check_digit(body),
                "city": "110000",
                "industry": "C34",
                "employees": 20,
                "revenue_band": "3m-20m",
                "contact_phone": "010-12345678",
                "owner_name": "负载",
                "owner_email": f"load-{tag}@example.com",
                "password": PLAN["password"],
                "accept_terms": True,
            },
            name="api: registration",
            catch_response=True,
        ) as response:
            if response.status_code != 202:
                response.failure(f"registration answered {response.status_code}: {response.text[:200]}")


class Bare(HttpUser):
    """The baseline's visitor (bench/bare_django.py's one view), with the same think time; bench/load.py
    names the classes of each run, so this one never mixes with the others."""

    wait_time = THINK

    @task
    def hello(self):
        self.client.get("/", name="bare: hello")
