"""cloudformation/deployer-role.yaml: the role CircleCI assumes through OIDC.

Created in moto (which checks the policy documents' grammar) and checked against the handler
permissions CloudFormation publishes for every resource type of shadow-environment.yaml (the
schemas cfn-lint ships), so the two templates cannot drift apart unnoticed.

moto gap: AWS::IAM::OIDCProvider is skipped with a warning, so the provider the template can
create is absent and its Ref is empty; the tests pass CreateOIDCProvider=false (an existing
provider), as an account that already trusts CircleCI would.
"""

from __future__ import annotations

import json
from fnmatch import fnmatchcase
from typing import Any

import pytest
from cfn_support import (
    DEPLOYER_TEMPLATE,
    SHADOW_TEMPLATE,
    load_template,
    outputs_of,
    parse_policy_document,
)
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

ORG_ID = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
PROJECT_ID = "11111111-2222-3333-4444-555555555555"
STACK_NAME = "shadowops-deployer"
TEMPLATE = load_template(DEPLOYER_TEMPLATE)
POLICY_RESOURCES = ("StacksPolicy", "NetworkAndHostPolicy", "WarehouseAndSecretsPolicy")

# Permissions CloudFormation's handlers list for the shadow template's resource types that the
# deployer does not get, and why. Each entry must stay true (see the stale-entry test).
NOT_GRANTED = {
    "ec2:CreateVpcEncryptionControl": "VpcEncryptionControl is not set",
    "ec2:ModifyVpcTenancy": "InstanceTenancy is not set",
    "ec2:AssociateSubnetCidrBlock": "the subnets have no IPv6 block",
    "ec2:DisassociateSubnetCidrBlock": "the subnets have no IPv6 block",
    "ec2:AttachVpnGateway": "the gateway attachment is for an internet gateway",
    "ec2:DetachVpnGateway": "the gateway attachment is for an internet gateway",
    "ec2:AcceptAddressTransfer": "the Elastic IP is allocated, not transferred",
    "ec2:AttachVolume": "no Volumes property: the root volume comes with the instance",
    "ec2:DetachVolume": "no Volumes property: the root volume comes with the instance",
    "ec2:ModifyInstancePlacement": "no Affinity, HostId or placement group",
    "ec2:AttachNetworkInterface": (
        "listed by the Redshift subnet and parameter group handlers; Redshift attaches its "
        "own interfaces with its service-linked role"
    ),
    "ec2:CreateNetworkInterface": "Redshift ElasticIp, relocation and Multi-AZ are not used",
    "ec2:ModifyNetworkInterfaceAttribute": "Redshift ElasticIp, relocation and Multi-AZ are not used",
    "ec2:CreateVpcEndpoint": "Redshift relocation and Multi-AZ are not used",
    "ec2:ModifyVpcEndpoint": "Redshift relocation and Multi-AZ are not used",
    "ssm:CreateAssociation": "the instance has no SsmAssociations",
    "ssm:DeleteAssociation": "the instance has no SsmAssociations",
    "iam:UpdateAssumeRolePolicy": "withheld: the host role's trust never changes, and it could undo the boundary",
    "iam:DeleteRolePermissionsBoundary": "withheld: it would lift the host boundary",
    "redshift:ModifyClusterIamRoles": "the cluster has no IamRoles",
    "redshift:EnableSnapshotCopy": "no cross-region snapshot copy",
    "redshift:DisableSnapshotCopy": "no cross-region snapshot copy",
    "redshift:ModifySnapshotCopyRetentionPeriod": "no cross-region snapshot copy",
    "redshift:ModifyAquaConfiguration": "AQUA is not configured",
    "redshift:ResizeCluster": "a shadow is never resized; change the size with a new environment",
    "redshift:ModifyClusterDbRevisions": "RevisionTarget is not set",
    "redshift:PauseCluster": "ResourceAction is not used",
    "redshift:ResumeCluster": "ResourceAction is not used",
    "redshift:RotateEncryptionKey": "RotateEncryptionKey is not set",
    "redshift:FailoverPrimaryCompute": "MultiAZ is not used",
    "redshift:PutResourcePolicy": "NamespaceResourcePolicy is not set",
    "redshift:DeleteResourcePolicy": "NamespaceResourcePolicy is not set",
    "secretsmanager:ReplicateSecretToRegions": "the secrets have no ReplicaRegions",
    "initech:UpdateReport": "a placeholder in the published ClusterParameterGroup schema",
    "initech:DeleteReport": "a placeholder in the published ClusterParameterGroup schema",
    "initech:DescribeReport": "a placeholder in the published ClusterParameterGroup schema",
}

# What the aws driver calls itself (up, down, list, extend, reap, --snapshot latest, reading
# the Airflow password, setting the password of a restored cluster, the leftover check).
# Removing leftovers by name after a failed delete uses the Redshift delete calls.
DRIVER_ACTIONS = [
    "cloudformation:CreateStack",
    "cloudformation:DescribeStacks",
    "cloudformation:DescribeStackEvents",
    "cloudformation:ListStacks",
    "cloudformation:ListStackResources",
    "cloudformation:UpdateStack",
    "cloudformation:CreateChangeSet",
    "cloudformation:DescribeChangeSet",
    "cloudformation:DeleteChangeSet",
    "cloudformation:DeleteStack",
    "redshift:DescribeClusterSnapshots",
    "redshift:DescribeClusters",
    "redshift:ModifyCluster",
    "redshift:DeleteCluster",
    "redshift:DeleteClusterSubnetGroup",
    "redshift:DeleteClusterParameterGroup",
    "ec2:DescribeInstances",
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetSecretValue",
    "tag:GetResources",
]


def policy_statements() -> list[dict[str, Any]]:
    statements = []
    for name in POLICY_RESOURCES:
        statements += TEMPLATE["Resources"][name]["Properties"]["PolicyDocument"][
            "Statement"
        ]
    return statements


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def granted(action: str) -> bool:
    return any(
        statement["Effect"] == "Allow"
        and any(
            fnmatchcase(action.lower(), pattern.lower())
            for pattern in as_list(statement["Action"])
        )
        for statement in policy_statements()
    )


def handler_permissions() -> dict[str, set[str]]:
    """Permission -> resource types of the shadow template whose handlers list it."""
    needed: dict[str, set[str]] = {}
    shadow = load_template(SHADOW_TEMPLATE)
    for resource_type in {
        resource["Type"] for resource in shadow["Resources"].values()
    }:
        schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(
            "us-east-1", resource_type
        ).schema
        handlers = schema.get("handlers", {})
        # "list" serves resource discovery (Cloud Control), not stack operations.
        for operation in ("create", "read", "update", "delete"):
            for permission in handlers.get(operation, {}).get("permissions", []):
                needed.setdefault(permission, set()).add(resource_type)
    return needed


def create_stack(aws, create_provider: str = "false") -> dict[str, Any]:
    cloudformation = aws.client("cloudformation")
    cloudformation.create_stack(
        StackName=STACK_NAME,
        TemplateBody=DEPLOYER_TEMPLATE.read_text(),
        Parameters=[
            {"ParameterKey": "CircleCIOrganizationId", "ParameterValue": ORG_ID},
            {"ParameterKey": "CircleCIProjectId", "ParameterValue": PROJECT_ID},
            {"ParameterKey": "CreateOIDCProvider", "ParameterValue": create_provider},
            {
                "ParameterKey": "ProductionClusterIdentifier",
                "ParameterValue": "production",
            },
        ],
        Capabilities=["CAPABILITY_NAMED_IAM"],
    )
    return cloudformation.describe_stacks(StackName=STACK_NAME)["Stacks"][0]


# ----------------------------------------------------------------------------- in the emulator


def test_role_trusts_only_the_circleci_project(aws):
    stack = create_stack(aws)
    assert stack["StackStatus"] == "CREATE_COMPLETE"

    role = aws.client("iam").get_role(RoleName="shadowops-deployer")["Role"]
    trust = parse_policy_document(role["AssumeRolePolicyDocument"])
    [statement] = trust["Statement"]
    issuer = f"oidc.circleci.com/org/{ORG_ID}"
    assert statement["Principal"] == {
        "Federated": f"arn:aws:iam::123456789012:oidc-provider/{issuer}"
    }
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Condition"] == {
        "StringEquals": {f"{issuer}:aud": ORG_ID},
        "StringLike": {f"{issuer}:sub": f"org/{ORG_ID}/project/{PROJECT_ID}/user/*"},
    }
    assert role["MaxSessionDuration"] == 7200
    outputs = outputs_of(stack)
    assert outputs["DeployerRoleArn"] == role["Arn"]
    assert len(outputs["DeployerPolicyArns"].split(",")) == len(POLICY_RESOURCES)
    assert outputs["HostPermissionsBoundaryArn"].endswith(
        ":policy/shadowops/shadowops-deployer-host-boundary"
    )


def test_policies_are_valid_and_fit_iam_size_limits(aws):
    create_stack(aws)
    iam = aws.client("iam")
    resources = aws.client("cloudformation").list_stack_resources(StackName=STACK_NAME)
    # moto does not attach a template's ManagedPolicyArns to the role, so the policies are
    # found through the stack.
    arns = {
        item["LogicalResourceId"]: item["PhysicalResourceId"]
        for item in resources["StackResourceSummaries"]
        if item.get("ResourceType") == "AWS::IAM::ManagedPolicy"
    }

    assert set(arns) == {*POLICY_RESOURCES, "HostPermissionsBoundary"}
    for arn in arns.values():
        policy = iam.get_policy(PolicyArn=arn)["Policy"]
        version = iam.get_policy_version(
            PolicyArn=arn, VersionId=policy["DefaultVersionId"]
        )
        document = parse_policy_document(version["PolicyVersion"]["Document"])
        # IAM counts a managed policy's characters without whitespace; the limit is 6,144.
        assert len(json.dumps(document, separators=(",", ":"))) <= 6144, policy[
            "PolicyName"
        ]
        assert policy["Path"] == "/shadowops/"


def test_stack_with_a_new_oidc_provider_is_created(aws):
    # moto skips AWS::IAM::OIDCProvider, so only the stack's success is checkable here.
    assert create_stack(aws, create_provider="true")["StackStatus"] == "CREATE_COMPLETE"


# ----------------------------------------------------------------------------- in the template


def test_grants_every_permission_cloudformation_needs_for_a_shadow():
    missing = {
        permission: sorted(types)
        for permission, types in handler_permissions().items()
        if permission not in NOT_GRANTED and not granted(permission)
    }
    assert not missing, f"the deployer role lacks: {json.dumps(missing, indent=1)}"


def test_every_not_granted_entry_is_still_true():
    needed = handler_permissions()
    for permission, reason in NOT_GRANTED.items():
        assert permission in needed, (
            f"{permission} is no longer listed by any handler: {reason}"
        )
        assert not granted(permission), (
            f"{permission} is granted after all: drop its entry"
        )


@pytest.mark.parametrize("action", DRIVER_ACTIONS)
def test_grants_what_the_driver_calls(action):
    assert granted(action)


def test_stack_actions_are_limited_to_shadowops_stacks():
    for statement in policy_statements():
        actions = as_list(statement["Action"])
        if not any(action.startswith("cloudformation:") for action in actions):
            continue
        if actions == ["cloudformation:ListStacks"]:
            continue  # IAM only accepts "*" for ListStacks
        assert statement["Resource"] == {
            "Fn::Sub": "arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/shadowops-*/*"
        }, statement["Sid"]


def test_creates_need_the_environment_tag_and_changes_need_it_on_the_resource():
    by_sid = {statement["Sid"]: statement for statement in policy_statements()}
    for sid in (
        "CreateTaggedShadowStacks",
        "CreateTaggedNetworkAndHost",
        "CreateTaggedWarehouse",
        "CreateTaggedShadowSecrets",
    ):
        condition = by_sid[sid]["Condition"]["Null"]
        assert condition["aws:RequestTag/shadowops:environment"] == "false", sid
    for sid in (
        "ChangeAndDeleteTaggedShadowStacks",
        "ChangeTaggedNetworkAndHost",
        "ManageShadowSecrets",
    ):
        condition = by_sid[sid]["Condition"]["Null"]
        assert condition["aws:ResourceTag/shadowops:environment"] == "false", sid


def test_host_roles_are_bounded_and_passed_to_ec2_only():
    by_sid = {statement["Sid"]: statement for statement in policy_statements()}
    creating = by_sid["CreateBoundedHostRoles"]
    assert set(creating["Action"]) == {
        "iam:CreateRole",
        "iam:PutRolePolicy",
        "iam:PutRolePermissionsBoundary",
    }
    assert creating["Condition"]["StringEquals"]["iam:PermissionsBoundary"] == {
        "Ref": "HostPermissionsBoundary"
    }
    passing = by_sid["PassHostRolesToEc2Only"]
    assert passing["Condition"] == {
        "StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}
    }
    for statement in policy_statements():
        for action in as_list(statement["Action"]):
            assert action.split(":")[1] != "*", f"{statement['Sid']}: {action}"
            assert not action.startswith("iam:") or "*" not in action, statement["Sid"]
    assert not granted("iam:CreateUser") and not granted("iam:CreateAccessKey")
    assert not granted("ssm:SendCommand") and not granted("ssm:StartSession")


def test_every_parameter_is_documented():
    for name, parameter in TEMPLATE["Parameters"].items():
        assert len(parameter.get("Description", "")) >= 20, name


def statements_granting(action: str) -> list[dict[str, Any]]:
    return [
        statement
        for statement in policy_statements()
        if statement["Effect"] == "Allow"
        and any(
            fnmatchcase(action.lower(), pattern.lower())
            for pattern in as_list(statement["Action"])
        )
    ]


def test_setting_a_restored_warehouse_password_reaches_only_shadow_clusters_and_secrets():
    # The driver's step after a restore: GetSecretValue(WarehouseSecretArn), then
    # ModifyCluster(MasterUserPassword) on the shadow cluster. Neither may reach further.
    [modify] = statements_granting("redshift:ModifyCluster")
    assert {
        "Fn::Sub": "arn:${AWS::Partition}:redshift:${AWS::Region}:${AWS::AccountId}:cluster:shadowops-*"
    } in modify["Resource"]
    for resource in modify["Resource"]:
        assert (
            ":cluster:shadowops-*" in resource["Fn::Sub"]
            or ":cluster:" not in resource["Fn::Sub"]
        ), resource
    [read] = statements_granting("secretsmanager:GetSecretValue")
    assert read["Resource"] == {
        "Fn::Sub": "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:shadowops/*"
    }
    assert read["Condition"] == {
        "Null": {"aws:ResourceTag/shadowops:environment": "false"}
    }
