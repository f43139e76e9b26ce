"""cloudformation/shadow-environment.yaml: created in a real AWS API emulator (moto in server
mode), and checked statically where the emulator cannot tell.

moto gaps met here (each test says which it works around):
- AWS::SecretsManager::Secret is skipped with a warning: no secrets, no secret ARN outputs.
- Parameter AllowedPattern is not enforced.
- Redshift: SnapshotIdentifier, Tags, ClusterIdentifier and the parameter group are ignored;
  Ref of a cluster renders a Python object; GetAtt Endpoint.Address returns the whole
  endpoint as a dict's repr.
- EC2: MetadataOptions and security group egress rules are ignored.
- DeleteStack cannot remove the VPC (moto never deletes an AWS::EC2::RouteTable), answers
  DependencyViolation and forgets the stack.
"""

from __future__ import annotations

import ast
import re

import pytest
from botocore.exceptions import ClientError
from cfn_support import (
    MOTO_IMAGE_PARAMETER,
    SHADOW_TAG_KEYS,
    SHADOW_TEMPLATE,
    UBUNTU_IMAGE_PARAMETER,
    load_template,
    outputs_of,
    parse_policy_document,
    tags_of,
    template_body_for_moto,
)
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

STACK_NAME = "shadowops-acme-warehouse-pr-42"
GOOD_PARAMETERS = {
    "EnvironmentName": "acme-warehouse-pr-42",
    "Repository": "acme/warehouse",
    "PullRequest": "42",
    "CommitSha": "0123456789abcdef0123456789abcdef01234567",
    "ExpiresAt": "2026-11-28T18:00:00Z",
    "AllowedCidr": "203.0.113.0/24",
}
# The names the aws driver passes and reads; changing one breaks the driver.
DRIVER_PARAMETERS = {
    "EnvironmentName",
    "Repository",
    "PullRequest",
    "CommitSha",
    "ExpiresAt",
    "AllowedCidr",
    "HostImageId",
    "PinnedHostImageId",
    "HostInstanceType",
    "SshKeyName",
    "HostPermissionsBoundaryArn",
    "WarehouseNodeType",
    "WarehouseNumberOfNodes",
    "WarehouseDatabaseName",
    "WarehouseMasterUsername",
    "SnapshotIdentifier",
    "SnapshotClusterIdentifier",
}
DRIVER_OUTPUTS = {
    "AirflowUrl",
    "HostAddress",
    "HostInstanceId",
    "WarehouseEndpoint",
    "WarehousePort",
    "WarehouseClusterIdentifier",
    "WarehouseSecretArn",
    "AirflowSecretArn",
}
TEMPLATE = load_template(SHADOW_TEMPLATE)


def create_stack(aws, **overrides: str) -> dict:
    """Creates the stack without stack-level tags, so every tag seen comes from the template."""
    parameters = {**GOOD_PARAMETERS, **overrides}
    aws.client("cloudformation").create_stack(
        StackName=STACK_NAME,
        TemplateBody=template_body_for_moto(SHADOW_TEMPLATE),
        Parameters=[
            {"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()
        ],
        Capabilities=["CAPABILITY_IAM"],
        OnFailure="DELETE",
    )
    return aws.client("cloudformation").describe_stacks(StackName=STACK_NAME)["Stacks"][
        0
    ]


def stack_resource_ids(aws) -> dict[str, str]:
    """Logical id -> physical id. moto lists resources it skipped (the secrets) or did not
    create (false conditions) as entries without ids, and Redshift resources without a
    physical id; those are left out."""
    summaries = aws.client("cloudformation").list_stack_resources(StackName=STACK_NAME)
    return {
        item["LogicalResourceId"]: item["PhysicalResourceId"]
        for item in summaries["StackResourceSummaries"]
        if item.get("LogicalResourceId") and item.get("PhysicalResourceId")
    }


# ----------------------------------------------------------------------------- in the emulator


def test_stack_is_created_with_outputs_for_the_driver(aws):
    stack = create_stack(aws)

    assert stack["StackStatus"] == "CREATE_COMPLETE"
    outputs = outputs_of(stack)
    ids = stack_resource_ids(aws)
    address = outputs["HostAddress"]
    assert re.fullmatch(r"\d+\.\d+\.\d+\.\d+", address)
    assert outputs["AirflowUrl"] == f"http://{address}:8080"
    assert outputs["HostInstanceId"] == ids["HostInstance"]
    assert outputs["WarehousePort"] == "5439"

    cluster = aws.client("redshift").describe_clusters()["Clusters"][0]
    # moto returns the whole endpoint ({'Address': ..., 'Port': ...}) for Endpoint.Address;
    # CloudFormation returns the address alone.
    endpoint = outputs["WarehouseEndpoint"]
    if endpoint.startswith("{"):
        endpoint = ast.literal_eval(endpoint)["Address"]
    assert endpoint == cluster["Endpoint"]["Address"]

    # Not checkable in moto: the secrets are skipped, so their Ref outputs are dropped, and Ref
    # of a Redshift cluster renders a Python object. The template declares them; see
    # test_outputs_are_the_driver_contract_and_carry_no_secret_values.
    assert "WarehouseSecretArn" not in outputs
    assert "AirflowSecretArn" not in outputs


def test_instance_vpc_and_network_carry_the_shadowops_tags(aws):
    create_stack(aws)
    ec2 = aws.client("ec2")
    ids = stack_resource_ids(aws)
    expected = {
        "shadowops:environment": "acme-warehouse-pr-42",
        "shadowops:repository": "acme/warehouse",
        "shadowops:pull-request": "42",
        "shadowops:commit": "0123456789abcdef0123456789abcdef01234567",
        "shadowops:expires-at": "2026-11-28T18:00:00Z",
    }

    instance = ec2.describe_instances(InstanceIds=[ids["HostInstance"]])
    vpc = ec2.describe_vpcs(VpcIds=[ids["Vpc"]])["Vpcs"][0]
    subnets = ec2.describe_subnets(SubnetIds=[ids["SubnetA"], ids["SubnetB"]])[
        "Subnets"
    ]
    groups = ec2.describe_security_groups(
        GroupIds=[ids["HostSecurityGroup"], ids["WarehouseSecurityGroup"]]
    )["SecurityGroups"]
    tagged = [instance["Reservations"][0]["Instances"][0], vpc, *subnets, *groups]
    for described in tagged:
        tags = tags_of(described)
        assert {key: tags.get(key) for key in SHADOW_TAG_KEYS} == expected

    # Two subnets in two zones, neither handing out public addresses.
    assert len({subnet["AvailabilityZone"] for subnet in subnets}) == 2
    assert not any(subnet["MapPublicIpOnLaunch"] for subnet in subnets)


def test_only_airflow_is_reachable_and_only_the_host_reaches_the_warehouse(aws):
    create_stack(aws)
    ec2 = aws.client("ec2")
    ids = stack_resource_ids(aws)
    host, warehouse = (
        ec2.describe_security_groups(GroupIds=[ids[name]])["SecurityGroups"][0]
        for name in ("HostSecurityGroup", "WarehouseSecurityGroup")
    )

    assert host["IpPermissions"] == [
        {
            "IpProtocol": "tcp",
            "FromPort": 8080,
            "ToPort": 8080,
            "UserIdGroupPairs": [],
            "IpRanges": [{"CidrIp": "203.0.113.0/24"}],
            "Ipv6Ranges": [],
            "PrefixListIds": [],
        }
    ]
    [rule] = warehouse["IpPermissions"]
    assert (rule["FromPort"], rule["ToPort"], rule["IpRanges"]) == (5439, 5439, [])
    assert [pair["GroupId"] for pair in rule["UserIdGroupPairs"]] == [
        ids["HostSecurityGroup"]
    ]
    # moto ignores SecurityGroupEgress, so the warehouse's "no outbound" rule is checked in
    # the template instead.
    warehouse_egress = TEMPLATE["Resources"]["WarehouseSecurityGroup"]["Properties"][
        "SecurityGroupEgress"
    ]
    assert [rule["CidrIp"] for rule in warehouse_egress] == ["127.0.0.1/32"]


def test_ssh_opens_only_with_a_key_pair_and_only_to_the_allowed_cidr(aws):
    create_stack(aws, SshKeyName="ops-laptop")
    ec2 = aws.client("ec2")
    ids = stack_resource_ids(aws)
    host = ec2.describe_security_groups(GroupIds=[ids["HostSecurityGroup"]])[
        "SecurityGroups"
    ][0]

    ports = {
        (rule["FromPort"], rule["IpRanges"][0]["CidrIp"])
        for rule in host["IpPermissions"]
    }
    assert ports == {(8080, "203.0.113.0/24"), (22, "203.0.113.0/24")}
    instance = ec2.describe_instances(InstanceIds=[ids["HostInstance"]])
    assert instance["Reservations"][0]["Instances"][0]["KeyName"] == "ops-laptop"


def test_warehouse_is_encrypted_private_and_sized_by_parameters(aws):
    create_stack(aws, WarehouseNodeType="ra3.xlplus", WarehouseNumberOfNodes="2")

    [cluster] = aws.client("redshift").describe_clusters()["Clusters"]
    assert cluster["Encrypted"] is True
    assert cluster["PubliclyAccessible"] is False
    assert (cluster["NodeType"], cluster["NumberOfNodes"]) == ("ra3.xlplus", 2)
    assert cluster["MasterUsername"] == "shadowops_admin"
    # moto ignores the parameter group, so SSL is checked in the template.
    parameters = TEMPLATE["Resources"]["WarehouseParameterGroup"]["Properties"][
        "Parameters"
    ]
    assert {"ParameterName": "require_ssl", "ParameterValue": "true"} in parameters


def test_a_snapshot_identifier_switches_the_cluster_to_a_restore(aws):
    redshift = aws.client("redshift")
    redshift.create_cluster(
        ClusterIdentifier="production",
        ClusterType="single-node",
        NodeType="ra3.large",
        MasterUsername="prod_admin",
        MasterUserPassword="Production1Password",
    )
    redshift.create_cluster_snapshot(
        SnapshotIdentifier="production-nightly", ClusterIdentifier="production"
    )

    stack = create_stack(
        aws,
        SnapshotIdentifier="production-nightly",
        SnapshotClusterIdentifier="production",
        WarehouseMasterUsername="prod_admin",
    )

    assert stack["StackStatus"] == "CREATE_COMPLETE"
    # moto creates an empty cluster whatever SnapshotIdentifier says, so what the stack
    # passes to CloudFormation is checked in the template: the snapshot and its cluster are
    # set only when SnapshotIdentifier is not empty.
    conditions = TEMPLATE["Conditions"]
    assert conditions["RestoreFromSnapshot"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "SnapshotIdentifier"}, ""]}]
    }
    cluster = TEMPLATE["Resources"]["WarehouseCluster"]["Properties"]
    assert cluster["SnapshotIdentifier"] == {
        "Fn::If": [
            "RestoreFromSnapshot",
            {"Ref": "SnapshotIdentifier"},
            {"Ref": "AWS::NoValue"},
        ]
    }
    assert (
        cluster["SnapshotClusterIdentifier"]["Fn::If"][0]
        == "RestoreWithSnapshotCluster"
    )


def test_the_host_runs_the_pinned_image_when_one_is_given(aws):
    ec2 = aws.client("ec2")
    resolved = aws.client("ssm").get_parameter(Name=MOTO_IMAGE_PARAMETER)["Parameter"][
        "Value"
    ]
    other = next(
        image["ImageId"]
        for image in ec2.describe_images(Owners=["amazon"])["Images"]
        if image["ImageId"] != resolved
    )

    create_stack(aws, PinnedHostImageId=other)

    instance = ec2.describe_instances(
        InstanceIds=[stack_resource_ids(aws)["HostInstance"]]
    )
    assert instance["Reservations"][0]["Instances"][0]["ImageId"] == other


def test_without_a_pin_the_host_runs_what_the_image_parameter_resolves_to(aws):
    resolved = aws.client("ssm").get_parameter(Name=MOTO_IMAGE_PARAMETER)["Parameter"][
        "Value"
    ]

    create_stack(aws)

    instance = aws.client("ec2").describe_instances(
        InstanceIds=[stack_resource_ids(aws)["HostInstance"]]
    )
    assert instance["Reservations"][0]["Instances"][0]["ImageId"] == resolved


def test_host_role_reads_only_this_environments_secrets(aws):
    stack = create_stack(aws)
    iam = aws.client("iam")
    ids = stack_resource_ids(aws)
    role = iam.get_role(RoleName=ids["HostRole"])["Role"]
    stack_unique = stack["StackId"].split("/")[2].split("-")[0]

    assert role["Path"] == "/shadowops/"
    [policy_name] = iam.list_role_policies(RoleName=ids["HostRole"])["PolicyNames"]
    document = parse_policy_document(
        iam.get_role_policy(RoleName=ids["HostRole"], PolicyName=policy_name)[
            "PolicyDocument"
        ]
    )
    [statement] = document["Statement"]
    assert sorted(statement["Action"]) == [
        "secretsmanager:DescribeSecret",
        "secretsmanager:GetSecretValue",
    ]
    prefix = "arn:aws:secretsmanager:us-east-1:123456789012:secret:shadowops/acme-warehouse-pr-42"
    assert sorted(statement["Resource"]) == [
        f"{prefix}/airflow-{stack_unique}-??????",
        f"{prefix}/warehouse-{stack_unique}-??????",
    ]
    # moto does not attach ManagedPolicyArns from a template; the template attaches exactly
    # Session Manager's policy.
    assert TEMPLATE["Resources"]["HostRole"]["Properties"]["ManagedPolicyArns"] == [
        {
            "Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"
        }
    ]


def test_stack_parameters_and_outputs_hold_no_password(aws):
    stack = create_stack(aws)

    visible = [*stack["Parameters"], *stack.get("Outputs", [])]
    for item in visible:
        text = " ".join(str(value) for value in item.values()).lower()
        assert "password" not in text, item
        assert "resolve:secretsmanager" not in text, item


@pytest.mark.parametrize("bad_cidr", ["10.0.0.0/33", "everywhere"])
def test_a_bad_allowed_cidr_is_rejected_at_create_stack(aws, bad_cidr):
    # CloudFormation checks AllowedPattern before it creates anything. moto does not check
    # AllowedPattern at all: the value reaches EC2, which refuses it while the stack is half
    # made (the VPC and subnets stay behind, the stack stays CREATE_IN_PROGRESS). So the
    # driver should check the pattern itself before CreateStack; the pattern is verified here.
    with pytest.raises(ClientError) as refused:
        create_stack(aws, AllowedCidr=bad_cidr)
    assert refused.value.response["Error"]["Code"] in {
        "ValidationError",
        "InvalidParameterValue",
    }
    assert not allowed_pattern_accepts("AllowedCidr", bad_cidr)


# ----------------------------------------------------------------------------- in the template


def allowed_pattern_accepts(parameter: str, value: str) -> bool:
    """CloudFormation's AllowedPattern must match the whole value (Java regex semantics, which
    agree with Python's for these patterns)."""
    pattern = TEMPLATE["Parameters"][parameter]["AllowedPattern"]
    return re.fullmatch(pattern, value) is not None


@pytest.mark.parametrize(
    ("parameter", "value", "accepted"),
    [
        ("AllowedCidr", "203.0.113.0/24", True),
        ("AllowedCidr", "198.51.100.7/32", True),
        ("AllowedCidr", "0.0.0.0/0", False),
        ("AllowedCidr", "10.0.0.0/8", True),
        ("AllowedCidr", "10.0.0.0/33", False),
        ("AllowedCidr", "everywhere", False),
        ("AllowedCidr", "256.1.1.1/24", False),
        ("AllowedCidr", "10.0.0/24", False),
        ("AllowedCidr", "10.0.0.1", False),
        ("AllowedCidr", "10.0.0.01/24", False),
        ("AllowedCidr", " 10.0.0.0/24", False),
        ("AllowedCidr", "2001:db8::/32", False),
        ("ExpiresAt", "2026-11-28T18:00:00Z", True),
        ("ExpiresAt", "2026-11-28T18:00:00.000Z", True),
        ("ExpiresAt", "2026-11-28T19:00+01:00", True),
        ("ExpiresAt", "2026-11-28", False),
        ("ExpiresAt", "2026-11-28T18:00:00", False),
        ("ExpiresAt", "tomorrow", False),
        ("EnvironmentName", "acme-warehouse-pr-42", True),
        ("EnvironmentName", "Acme-pr-42", False),
        ("EnvironmentName", "42-pr", False),
        ("EnvironmentName", "a" * 41, False),
        ("Repository", "acme/warehouse", True),
        ("Repository", "acme", False),
        ("PullRequest", "42", True),
        ("PullRequest", "042", False),
        ("CommitSha", "0123456", True),
        ("CommitSha", "0123456789ABCDEF", False),
        ("SnapshotIdentifier", "", True),
        ("SnapshotIdentifier", "rs:production-2026-11-28-03-00", True),
        ("HostPermissionsBoundaryArn", "", True),
        (
            "HostPermissionsBoundaryArn",
            "arn:aws:iam::123456789012:policy/shadowops/shadowops-deployer-host-boundary",
            True,
        ),
        ("HostPermissionsBoundaryArn", "shadowops-deployer-host-boundary", False),
        ("PinnedHostImageId", "", True),
        ("PinnedHostImageId", "ami-12c6146b", True),
        ("PinnedHostImageId", "ami-0123456789abcdef0", True),
        ("PinnedHostImageId", "ami-0123", False),
        ("PinnedHostImageId", "/aws/service/canonical/ubuntu/server/24.04", False),
    ],
)
def test_parameter_patterns(parameter, value, accepted):
    assert allowed_pattern_accepts(parameter, value) is accepted


def test_every_parameter_is_documented_and_none_takes_a_secret():
    parameters = TEMPLATE["Parameters"]
    assert set(parameters) == DRIVER_PARAMETERS
    for name, parameter in parameters.items():
        assert len(parameter.get("Description", "")) >= 20, name
        assert "AllowedPattern" not in parameter or parameter.get(
            "ConstraintDescription"
        ), name
        assert "password" not in name.lower() and "secret" not in name.lower(), name
        assert not parameter.get("NoEcho"), (
            f"{name}: a NoEcho parameter means a secret is passed in"
        )
    assert "Default" not in parameters["AllowedCidr"], "nothing may be open by default"


def test_outputs_are_the_driver_contract_and_carry_no_secret_values():
    outputs = TEMPLATE["Outputs"]
    assert set(outputs) == DRIVER_OUTPUTS
    assert outputs["WarehouseSecretArn"]["Value"] == {"Ref": "WarehouseSecret"}
    assert outputs["AirflowSecretArn"]["Value"] == {"Ref": "AirflowSecret"}
    assert "resolve:" not in str(outputs)


def test_passwords_are_generated_and_only_referenced():
    resources = TEMPLATE["Resources"]
    for name in ("WarehouseSecret", "AirflowSecret"):
        secret = resources[name]["Properties"]
        assert "SecretString" not in secret
        generated = secret["GenerateSecretString"]
        assert generated["GenerateStringKey"] == "password"
        assert generated["PasswordLength"] >= 32
    password = resources["WarehouseCluster"]["Properties"]["MasterUserPassword"]
    assert password == {
        "Fn::Sub": "{{resolve:secretsmanager:${WarehouseSecret}:SecretString:password}}"
    }


def test_every_taggable_resource_carries_the_shadowops_tags():
    tags_by_parameter = {
        "shadowops:environment": "EnvironmentName",
        "shadowops:repository": "Repository",
        "shadowops:pull-request": "PullRequest",
        "shadowops:commit": "CommitSha",
        "shadowops:expires-at": "ExpiresAt",
    }
    for name, resource in TEMPLATE["Resources"].items():
        schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(
            "us-east-1", resource["Type"]
        ).schema
        if not schema.get("tagging", {}).get("taggable", False):
            continue
        tags = {
            tag["Key"]: tag["Value"] for tag in resource["Properties"].get("Tags", [])
        }
        for key, parameter in tags_by_parameter.items():
            assert tags.get(key) == {"Ref": parameter}, f"{name} lacks tag {key}"


def references(node, name: str, path: tuple = ()):
    """Paths in the template where {"Ref": name} (or ${name} in a Sub) appears."""
    if isinstance(node, dict):
        if node.get("Ref") == name:
            yield path
        sub = node.get("Fn::Sub")
        if isinstance(sub, str) and "${" + name + "}" in sub:
            yield path
        for key, value in node.items():
            yield from references(value, name, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from references(value, name, (*path, index))


def test_extend_only_retags():
    # `extend` updates the stack with a new ExpiresAt (and stack tag). That must change tags
    # and nothing else: ExpiresAt is used only in Tags, and no resource type here replaces
    # itself when its tags change. moto cannot show this: its UpdateStack drops resources
    # without an update handler (the Redshift ones, the instance) from the stack, after which
    # DescribeStacks answers HTTP 500.
    paths = list(references(TEMPLATE["Resources"], "ExpiresAt"))
    assert paths
    for path in paths:
        assert path[1:3] == ("Properties", "Tags"), path
    for resource in TEMPLATE["Resources"].values():
        schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(
            "us-east-1", resource["Type"]
        ).schema
        assert "/properties/Tags" not in schema.get("createOnlyProperties", []), (
            resource["Type"]
        )


def test_host_is_hardened():
    instance = TEMPLATE["Resources"]["HostInstance"]["Properties"]
    assert instance["MetadataOptions"]["HttpTokens"] == "required"
    [root] = instance["BlockDeviceMappings"]
    assert root["Ebs"] == {
        "VolumeType": "gp3",
        "VolumeSize": 30,
        "Encrypted": True,
        "DeleteOnTermination": True,
    }
    assert instance["PropagateTagsToVolumeOnCreation"] is True
    assert "UserData" not in instance


def test_host_image_defaults_to_ubuntu_24_04():
    image = TEMPLATE["Parameters"]["HostImageId"]
    assert image["Type"] == "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>"
    assert image["Default"] == UBUNTU_IMAGE_PARAMETER


def test_a_pinned_image_wins_over_the_image_parameter_only_when_set():
    # `extend` pins the running host's image so that an update cannot replace the host after
    # the SSM parameter moved; `up` leaves the pin empty.
    pinned = TEMPLATE["Parameters"]["PinnedHostImageId"]
    assert pinned["Type"] == "String"
    assert pinned["Default"] == ""
    assert TEMPLATE["Conditions"]["HasPinnedHostImage"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "PinnedHostImageId"}, ""]}]
    }
    assert TEMPLATE["Resources"]["HostInstance"]["Properties"]["ImageId"] == {
        "Fn::If": [
            "HasPinnedHostImage",
            {"Ref": "PinnedHostImageId"},
            {"Ref": "HostImageId"},
        ]
    }


def test_nothing_is_left_behind_by_deletion_policies():
    resources = TEMPLATE["Resources"]
    for name in ("WarehouseCluster", "WarehouseSecret", "AirflowSecret"):
        assert resources[name]["DeletionPolicy"] == "Delete", name
        assert resources[name]["UpdateReplacePolicy"] == "Delete", name
    assert not [
        name for name, r in resources.items() if r.get("DeletionPolicy") == "Retain"
    ]


# ----------------------------------------------------------------------------- deletion


def test_delete_removes_what_moto_can_delete(aws):
    stack_id = create_stack(aws)["StackId"]
    ids = stack_resource_ids(aws)
    cloudformation, ec2, iam = (aws.client(s) for s in ("cloudformation", "ec2", "iam"))

    try:
        cloudformation.delete_stack(StackName=STACK_NAME)
    except ClientError as refused:
        # moto never deletes AWS::EC2::RouteTable, so it cannot delete the VPC; it then answers
        # DependencyViolation and forgets the stack. CloudFormation deletes both.
        assert refused.response["Error"]["Code"] == "DependencyViolation"
        assert ids["Vpc"] in refused.response["Error"]["Message"]
    else:
        deleted = cloudformation.describe_stacks(StackName=stack_id)
        assert deleted["Stacks"][0]["StackStatus"] == "DELETE_COMPLETE"

    instance = ec2.describe_instances(InstanceIds=[ids["HostInstance"]])
    assert instance["Reservations"][0]["Instances"][0]["State"]["Name"] == "terminated"
    assert not ec2.describe_subnets(
        Filters=[{"Name": "vpc-id", "Values": [ids["Vpc"]]}]
    )["Subnets"]
    remaining_groups = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [ids["Vpc"]]}]
    )["SecurityGroups"]
    assert [group["GroupName"] for group in remaining_groups] == ["default"]
    assert not iam.list_roles(PathPrefix="/shadowops/")["Roles"]
    assert not iam.list_instance_profiles(PathPrefix="/shadowops/")["InstanceProfiles"]
