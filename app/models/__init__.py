"""SQLAlchemy models; importing this package registers every table on Base.metadata."""

from app.models.accreditation import (
    Accreditation,
    AccreditationBody,
    AccreditationStatusEvent,
    MlaRecognition,
)
from app.models.audit import AuditEvent
from app.models.auth import ApiKey, Client, SigningKey
from app.models.base import Base
from app.models.certificate import (
    Certificate,
    CertificateChange,
    CertificateSite,
    CertificateStatusEvent,
    Organization,
)
from app.models.certificate_facts import CertificateFacts
from app.models.certification_body import CertificationBody
from app.models.document import StoredDocument
from app.models.idempotency import IdempotencyKey
from app.models.integration import (
    DeliveryAttempt,
    OutboxEvent,
    Verification,
    Watch,
    WebhookDelivery,
    WebhookEndpoint,
)
from app.models.reference import Sector, Standard
from app.models.registry_version import RegistryVersion
from app.models.search_index import (
    OrganizationSearchName,
    OrganizationSearchTerm,
    OrganizationSearchWord,
)

__all__ = [
    "Accreditation",
    "AccreditationBody",
    "AccreditationStatusEvent",
    "ApiKey",
    "AuditEvent",
    "Base",
    "Certificate",
    "CertificateChange",
    "CertificateFacts",
    "CertificateSite",
    "CertificateStatusEvent",
    "CertificationBody",
    "Client",
    "DeliveryAttempt",
    "IdempotencyKey",
    "MlaRecognition",
    "Organization",
    "OrganizationSearchName",
    "OrganizationSearchTerm",
    "OrganizationSearchWord",
    "OutboxEvent",
    "RegistryVersion",
    "Sector",
    "SigningKey",
    "Standard",
    "StoredDocument",
    "Verification",
    "Watch",
    "WebhookDelivery",
    "WebhookEndpoint",
]
