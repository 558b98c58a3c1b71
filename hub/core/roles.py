"""Who may do what: the role groups that the API and the web pages both check.

One definition per group, so a page can never allow what the API refuses.
"""

COACH = frozenset({"coach"})
PARTNER = frozenset({"partner"})
PRIVACY_OFFICER = frozenset({"privacy_officer"})
READ_CONSENTS = frozenset({"coach", "privacy_officer"})
PLUGIN_READERS = frozenset({"coach", "privacy_officer", "admin"})
# Four eyes: a second person of the team, within the mandate of the role (`approval.toml`).
APPROVER_ROLES = ("coach", "team_manager", "cluster_manager")
APPROVERS = frozenset(APPROVER_ROLES)
CHAIN_REPORT_READERS = frozenset({"team_leader", "privacy_officer"})
TEAM_READERS = frozenset({"team_leader", "team_manager", "cluster_manager"})
STEERING_READERS = frozenset({"team_leader", "cluster_manager", "privacy_officer", "admin"})
# The inwoner's own pages: a web session bound to one client (never an API token).
INWONER_ROLE = "inwoner"
INWONER = frozenset({INWONER_ROLE})
